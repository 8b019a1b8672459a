package dev.zerokube.overlay.fuzz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

// Goal: every fuzz target really gets fuzzed in CI.
// Method: Jazzer fuzzes one @FuzzTest per JVM and the overlay pom gives each target class its own
// surefire execution; check that each *FuzzTest class holds exactly one @FuzzTest and that the
// pom names it in an execution.
class FuzzTargetsTest {
    @Test
    void everyTargetHasOneFuzzTestAndAFuzzingExecution() throws IOException {
        String pom = Files.readString(overlayPom());
        List<JavaClass> targets = new ClassFileImporter()
                .withImportOption(ImportOption.Predefined.ONLY_INCLUDE_TESTS)
                .importPackages(getClass().getPackageName())
                .stream()
                .filter(c -> c.getSimpleName().endsWith("FuzzTest"))
                .toList();
        assertFalse(targets.isEmpty(), "no fuzz targets found");
        for (JavaClass target : targets) {
            long fuzzTests = target.getMethods().stream().filter(m -> m.isAnnotatedWith(FuzzTest.class)).count();
            assertEquals(1, fuzzTests, target.getSimpleName() + ": @FuzzTest methods (Jazzer fuzzes one per JVM)");
            assertTrue(pom.contains("<test>" + target.getSimpleName() + "</test>"),
                    target.getSimpleName() + " has no fuzzing execution in overlay/pom.xml");
        }
    }

    private static Path overlayPom() {
        Path local = Path.of("pom.xml");
        if (Files.isRegularFile(local) && Files.isDirectory(Path.of("src/test/java/dev/zerokube/overlay"))) {
            return local;
        }
        return Path.of(System.getProperty("zerokube.root", "."), "overlay", "pom.xml");
    }
}
