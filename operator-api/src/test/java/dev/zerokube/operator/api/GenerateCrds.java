package dev.zerokube.operator.api;

import com.fasterxml.jackson.annotation.JsonClassDescription;
import dev.zerokube.operator.api.member.Member;
import dev.zerokube.operator.api.network.ZeroTierNetwork;
import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.crdv2.generator.CRDGenerator;
import io.fabric8.crdv2.generator.CRDPostProcessor;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceColumnDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionVersion;
import io.fabric8.kubernetes.client.CustomResource;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * Writes the CRD YAML of every zerokube custom resource into a directory: {@code target/crds} in a
 * normal build (the test {@code CrdsUpToDateTest} compares it with the committed {@code crds/}), or
 * {@code crds/} itself with {@code -Pregenerate-crds}. Maven runs it (exec:java, in Maven's JVM)
 * after the test classes are compiled.
 *
 * <p>It drives Fabric8's generator library directly rather than through its Maven plugin, for one
 * thing the plugin cannot do: the plugin sorts printer columns by JSON path (so {@code Age} came
 * first and {@code Reason} before {@code Ready}); here they keep the order in which the resource
 * class declares its {@code @AdditionalPrinterColumn}s. The same post-processing step puts the
 * class's {@code @JsonClassDescription} on the schema's root, which {@code kubectl explain ztnet}
 * prints.
 */
public final class GenerateCrds {

  /** Every custom resource class, in the order of {@code crds/}' files. */
  public static final List<Class<? extends CustomResource<?, ?>>> RESOURCES =
      List.of(Member.class, ZeroTierNetwork.class);

  static final String HEADER = """
      # Generated from the Java model in operator-api (dev.zerokube.operator.api); do not edit.
      # Regenerate: ./mvnw -B -q process-test-classes -pl operator-api -am -Pregenerate-crds
      """;

  private GenerateCrds() {}

  /** Generates into {@code args[0]}, replacing the {@code *.yml} files there. */
  public static void main(String[] args) throws IOException {
    if (args.length != 1) {
      throw new IllegalArgumentException("usage: GenerateCrds OUTPUT_DIRECTORY");
    }
    Path dir = Path.of(args[0]);
    Files.createDirectories(dir);
    try (Stream<Path> old = Files.list(dir)) {
      for (Path file : old.filter(f -> f.getFileName().toString().endsWith(".yml")).toList()) {
        Files.delete(file);
      }
    }
    for (Map.Entry<String, String> crd : generate().entrySet()) {
      Files.writeString(dir.resolve(crd.getKey()), crd.getValue(), StandardCharsets.UTF_8);
    }
  }

  /** The CRD files by file name ({@code <plural>.<group>-v1.yml}), contents with our header. */
  public static Map<String, String> generate() {
    Map<String, ByteArrayOutputStream> out = new TreeMap<>();
    CRDGenerator generator = new CRDGenerator()
        .customResourceClasses(new ArrayList<>(RESOURCES))
        .forCRDVersions("v1")
        .withParallelGenerationEnabled(false)
        .withPostProcessor(new OrderColumnsAndDescribe())
        .withOutput(new CRDGenerator.AbstractCRDOutput<ByteArrayOutputStream>() {
          @Override
          protected ByteArrayOutputStream createStreamFor(String name) {
            return out.computeIfAbsent(name + ".yml", n -> new ByteArrayOutputStream());
          }
        });
    if (generator.generate() != RESOURCES.size()) {
      throw new IllegalStateException("expected " + RESOURCES.size() + " CRDs, got " + out.keySet());
    }
    Map<String, String> files = new TreeMap<>();
    out.forEach((name, bytes) -> {
      String yaml = bytes.toString(StandardCharsets.UTF_8);
      // Replace the generator's own first comment line with ours.
      if (!yaml.startsWith("#")) {
        throw new IllegalStateException("unexpected generator output for " + name);
      }
      files.put(name, HEADER + yaml.substring(yaml.indexOf('\n') + 1));
    });
    return files;
  }

  private static Class<?> resourceClass(String kind) {
    return RESOURCES.stream()
        .filter(c -> c.getSimpleName().equals(kind))
        .findFirst()
        .orElseThrow(() -> new IllegalStateException("no class for kind " + kind));
  }

  /** Printer columns in declaration order; the class description on the schema's root. */
  private static final class OrderColumnsAndDescribe implements CRDPostProcessor {
    @Override
    public HasMetadata process(HasMetadata resource, String crdSpecVersion) {
      CustomResourceDefinition crd = (CustomResourceDefinition) resource;
      Class<?> type = resourceClass(crd.getSpec().getNames().getKind());
      List<String> order = Stream.of(type.getAnnotationsByType(AdditionalPrinterColumn.class))
          .map(AdditionalPrinterColumn::name)
          .toList();
      JsonClassDescription description = type.getAnnotation(JsonClassDescription.class);
      if (description == null) {
        throw new IllegalStateException(type + " needs a @JsonClassDescription");
      }
      for (CustomResourceDefinitionVersion version : crd.getSpec().getVersions()) {
        List<CustomResourceColumnDefinition> columns = version.getAdditionalPrinterColumns();
        if (columns.size() != order.size()) {
          throw new IllegalStateException("printer columns of " + type + " are not all @AdditionalPrinterColumn");
        }
        columns.sort(Comparator.comparingInt(c -> order.indexOf(c.getName())));
        version.getSchema().getOpenAPIV3Schema().setDescription(description.value());
      }
      return crd;
    }
  }
}
