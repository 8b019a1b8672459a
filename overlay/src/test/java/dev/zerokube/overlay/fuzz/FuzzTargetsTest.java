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

// Goal: every fuzz target lives in this package and really gets fuzzed in CI.
// Method: Jazzer fuzzes one @FuzzTest per JVM and the overlay pom gives each target class its own
// surefire execution; check over all overlay test classes that every @FuzzTest is in a *FuzzTest
// class of this package holding exactly one, and that the pom names that class in an execution.
class FuzzTargetsTest {
    @Test
    void everyTargetHasOneFuzzTestAndAFuzzingExecution() throws IOException {
        String pom = Files.readString(overlayPom());
        List<JavaClass> withFuzzTests = new ClassFileImporter()
                .withImportOption(ImportOption.Predefined.ONLY_INCLUDE_TESTS)
                .importPackages("dev.zerokube.overlay")
                .stream()
                .filter(c -> c.getMethods().stream().anyMatch(m -> m.isAnnotatedWith(FuzzTest.class)))
                .toList();
        for (JavaClass c : withFuzzTests) {
            assertEquals(getClass().getPackageName(), c.getPackageName(),
                    c.getName() + ": fuzz targets live in one place, this package (docs/fuzzing.md)");
        }
        List<JavaClass> targets = withFuzzTests.stream()
                .filter(c -> c.getSimpleName().endsWith("FuzzTest"))
                .toList();
        assertEquals(withFuzzTests.size(), targets.size(), "a class with @FuzzTest is not named *FuzzTest");
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
