package dev.zerokube.operator.webhook;

// Goal: the image's AOT cache serves the sidecar the webhook injects. A JDK 25 cache is ignored
// by a JVM started with flags that change what it holds, so the training in
// docker/zerokube/Dockerfile must run with exactly the injected flags (DEFAULT_JVM_OPTIONS, through
// JAVA_TOOL_OPTIONS as in a pod) and the ENTRYPOINT's own, the ENTRYPOINT must load the file the
// training wrote, and the injected container must keep the ENTRYPOINT (args only, no command).
// Method: read the Dockerfile's ARG, RUN and ENTRYPOINT lines and compare them with
// SidecarSettings and SidecarTemplate's container.

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.type.TypeReference;
import dev.zerokube.operator.RepositoryRoot;
import io.fabric8.kubernetes.api.model.Container;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class SidecarImageTest {
  private static final Path DOCKERFILE = RepositoryRoot.path().resolve("docker/zerokube/Dockerfile");
  private static final String ARG = "ARG SIDECAR_JVM_OPTIONS=";
  private static final String RUN = "RUN JAVA_TOOL_OPTIONS=\"$SIDECAR_JVM_OPTIONS\" ";

  @Test
  void theCacheIsTrainedWithTheInjectedFlagsAndTheEntrypointsAndLoadedByTheEntrypoint() throws IOException {
    List<String> lines = Files.readAllLines(DOCKERFILE);
    String arg = only(lines, ARG).substring(ARG.length());
    assertEquals("\"" + SidecarSettings.DEFAULT_JVM_OPTIONS + "\"", arg,
        "the training's JAVA_TOOL_OPTIONS are what the webhook injects");

    List<String> entrypoint = WebhookFixtures.MAPPER.readValue(only(lines, "ENTRYPOINT ").substring(11),
        new TypeReference<List<String>>() {});
    int jar = entrypoint.indexOf("-jar");
    assertEquals("java", entrypoint.get(0));
    assertEquals(jar + 2, entrypoint.size(), "the jar ends the ENTRYPOINT (the container's args follow)");
    List<String> cacheFlags = entrypoint.stream().filter(f -> f.startsWith("-XX:AOTCache=")).toList();
    assertEquals(1, cacheFlags.size(), entrypoint.toString());
    String cache = cacheFlags.get(0).substring("-XX:AOTCache=".length());

    List<String> run = Arrays.asList(only(lines, RUN).substring(RUN.length()).split(" +"));
    List<String> expected = new ArrayList<>(entrypoint);
    expected.remove(cacheFlags.get(0));
    expected.addAll(List.of("aot-train", cache));
    assertEquals(expected, run, "the training runs as the ENTRYPOINT does, writing the file it loads");

    assertTrue(lines.indexOf(only(lines, RUN)) < lines.indexOf(only(lines, "USER ")),
        "trained as root: /opt/zerokube is root's");
    assertTrue(lines.indexOf(only(lines, "COPY sidecar/target/zerokube.jar")) < lines.indexOf(only(lines, RUN)),
        "trained on the jar the image runs");
  }

  @Test
  void theEntrypointsOwnFlagsAgreeWithTheInjectedOnes() throws IOException {
    List<String> entrypoint = WebhookFixtures.MAPPER.readValue(
        only(Files.readAllLines(DOCKERFILE), "ENTRYPOINT ").substring(11), new TypeReference<List<String>>() {});
    List<String> injected = List.of(SidecarSettings.DEFAULT_JVM_OPTIONS.split(" +"));
    for (String flag : entrypoint) {
      // command-line flags win over JAVA_TOOL_OPTIONS: one the webhook turns the other way would
      // be silently overridden
      if (flag.startsWith("-XX:+") || flag.startsWith("-XX:-")) {
        String opposite = "-XX:" + (flag.charAt(4) == '+' ? '-' : '+') + flag.substring(5);
        assertFalse(injected.contains(opposite), flag + " against the injected " + opposite);
      }
    }
    assertEquals(injected.contains("-XX:+UseCompactObjectHeaders"), entrypoint.contains("-XX:+UseCompactObjectHeaders"),
        "both say compact object headers (the cache's layout), or neither");
  }

  @Test
  void theInjectedContainerKeepsTheEntrypoint() {
    for (SidecarMode mode : SidecarMode.values()) {
      Container c = SidecarTemplate.container(WebhookFixtures.SETTINGS, List.of("a"), mode);
      assertTrue(c.getCommand() == null || c.getCommand().isEmpty(), "a command would replace the ENTRYPOINT: "
          + c.getCommand());
      assertEquals(List.of("node", "--pod"), c.getArgs());
    }
  }

  private static String only(List<String> lines, String prefix) {
    List<String> found = lines.stream().filter(l -> l.startsWith(prefix)).toList();
    assertEquals(1, found.size(), "one line starting with " + prefix + " in " + DOCKERFILE);
    return found.get(0);
  }
}
