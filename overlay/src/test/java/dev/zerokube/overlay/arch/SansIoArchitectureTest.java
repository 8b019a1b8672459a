package dev.zerokube.overlay.arch;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.lang.EvaluationResult;
import org.junit.jupiter.api.Test;

/**
 * Goal: the protocol core ({@code crypto} .. {@code root}) stays sans-I/O (ARCHITECTURE.md): no
 * Netty, sockets, channels, files, threads or wall clocks. Method: ArchUnit over the compiled main
 * classes; the same rule run over a deliberately bad fixture must fail, so the rule is known to
 * bite.
 */
class SansIoArchitectureTest {
    static final String[] CORE = {
        "dev.zerokube.overlay.codec..", "dev.zerokube.overlay.crypto..", "dev.zerokube.overlay.identity..", "dev.zerokube.overlay.wire..",
        "dev.zerokube.overlay.rules..", "dev.zerokube.overlay.node..", "dev.zerokube.overlay.controller..",
        "dev.zerokube.overlay.root..",
    };

    static ArchRule coreIsSansIo(String... packages) {
        return noClasses().that().resideInAnyPackage(packages)
                .should().dependOnClassesThat().resideInAnyPackage(
                        "io.netty..", "java.nio.channels..", "java.nio.file..", "java.util.concurrent..",
                        "java.lang.foreign..", "java.net.http..")
                .orShould().dependOnClassesThat().haveFullyQualifiedName("java.net.Socket")
                .orShould().dependOnClassesThat().haveFullyQualifiedName("java.net.ServerSocket")
                .orShould().dependOnClassesThat().haveFullyQualifiedName("java.net.DatagramSocket")
                .orShould().dependOnClassesThat().haveFullyQualifiedName("java.io.File")
                .orShould().dependOnClassesThat().haveFullyQualifiedName("java.io.FileInputStream")
                .orShould().dependOnClassesThat().haveFullyQualifiedName("java.io.FileOutputStream")
                .orShould().dependOnClassesThat().haveFullyQualifiedName("java.io.RandomAccessFile")
                .orShould().dependOnClassesThat().haveFullyQualifiedName("java.lang.Thread")
                .orShould().dependOnClassesThat().haveFullyQualifiedName("java.time.Clock")
                .orShould().callMethod(System.class, "currentTimeMillis")
                .orShould().callMethod(System.class, "nanoTime")
                .orShould().callMethod(java.time.Instant.class, "now")
                .orShould().callMethod(Thread.class, "sleep", long.class)
                .because("the protocol core is driven by bytes and time passed in (ARCHITECTURE.md)");
    }

    @Test
    void coreHasNoIo() {
        JavaClasses main = new ClassFileImporter()
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("dev.zerokube.overlay");
        assertTrue(main.size() > 0, "no classes imported");
        coreIsSansIo(CORE).check(main);
    }

    @Test
    void ruleCatchesTheBadFixture() {
        JavaClasses fixture = new ClassFileImporter().importPackages("dev.zerokube.overlay.arch.fixture");
        EvaluationResult result = coreIsSansIo("dev.zerokube.overlay.arch.fixture..").evaluate(fixture);
        assertTrue(result.hasViolation(), "the rule must reject a core class that reads the clock and a file");
        String report = result.getFailureReport().toString();
        assertTrue(report.contains("currentTimeMillis"), report);
        assertTrue(report.contains("java.io.File"), report);
        assertFalse(fixture.isEmpty());
    }
}
