package dev.zerokube.operator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/*
 * Goal: an operator that cannot start exits with a non-zero code instead of living on half-started
 * (its health server's thread would keep the JVM up, not ready and never restarted). Method: the
 * real main in a child JVM with a kubeconfig naming a port where nothing listens; it must exit 1
 * within the bound, saying why.
 */
class OperatorMainTest {

    @Test
    void anOperatorThatCannotReachItsApiServerExitsWithOne(@TempDir Path dir) throws Exception {
        Path kubeconfig = dir.resolve("kubeconfig");
        Files.writeString(kubeconfig, """
                apiVersion: v1
                kind: Config
                clusters:
                - name: nowhere
                  cluster: {server: "https://127.0.0.1:1", insecure-skip-tls-verify: true}
                users:
                - name: nobody
                  user: {token: "none"}
                contexts:
                - name: nowhere
                  context: {cluster: nowhere, user: nobody}
                current-context: nowhere
                """);
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder pb = new ProcessBuilder(List.of(java, "-cp", System.getProperty("java.class.path"),
                OperatorMain.class.getName(), "--health-port=0", "--leader-election=false"))
                .redirectErrorStream(true).redirectOutput(dir.resolve("out.log").toFile());
        pb.environment().put("KUBECONFIG", kubeconfig.toString());
        pb.environment().remove("KUBERNETES_SERVICE_HOST");
        pb.environment().remove("ZEROKUBE_CONTROLLER_PORT");
        Process p = pb.start();
        try {
            assertTrue(p.waitFor(120, TimeUnit.SECONDS), "still running: " + Files.readString(dir.resolve("out.log")));
            String out = Files.readString(dir.resolve("out.log"));
            assertEquals(1, p.exitValue(), out);
            assertTrue(out.contains("zerokube-operator: cannot start"), out);
        } finally {
            p.destroyForcibly();
        }
    }
}
