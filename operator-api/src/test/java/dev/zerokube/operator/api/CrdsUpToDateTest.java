package dev.zerokube.operator.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

// Goal: the CRDs committed in crds/ are exactly what the Java model generates, so nobody edits the
// YAML by hand and no model change ships without its CRD. Method: generate in this JVM and compare
// every file, byte for byte and by file name (a stale file for a removed kind fails too); and
// compare what the build itself wrote into target/crds (in Maven's JVM) the same way.
class CrdsUpToDateTest {

  private static final String REGENERATE =
      "crds/ is out of date with the model in operator-api; regenerate with\n"
          + "  ./mvnw -B -q process-test-classes -pl operator-api -am -Pregenerate-crds\n"
          + "and commit the result. ";

  @Test
  void committedCrdsMatchTheModel() throws IOException {
    assertSameFiles(GenerateCrds.generate(), read(Crds.committedDir()));
  }

  @Test
  void buildOutputMatchesTheCommittedCrds() throws IOException {
    String generated = System.getProperty("zerokube.crds.generated");
    assumeTrue(generated != null && Files.isDirectory(Path.of(generated)),
        "run through Maven: the build's generated CRDs are in target/crds");
    assertSameFiles(read(Path.of(generated)), read(Crds.committedDir()));
  }

  private static void assertSameFiles(Map<String, String> expected, Map<String, String> committed) {
    assertEquals(expected.keySet(), committed.keySet(), REGENERATE + "The CRD files differ.");
    expected.forEach((name, yaml) ->
        assertEquals(yaml, committed.get(name), REGENERATE + name + " differs."));
  }

  private static Map<String, String> read(Path dir) throws IOException {
    Map<String, String> files = new TreeMap<>();
    try (Stream<Path> list = Files.list(dir)) {
      for (Path file : list.filter(f -> f.getFileName().toString().endsWith(".yml")).toList()) {
        files.put(file.getFileName().toString(), Files.readString(file));
      }
    }
    return files;
  }
}
