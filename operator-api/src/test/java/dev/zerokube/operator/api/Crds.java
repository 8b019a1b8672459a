package dev.zerokube.operator.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The committed CRDs and examples, found from the repository root, for tests. */
final class Crds {

  static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();

  private Crds() {}

  /** The repository root: -Dzerokube.root (set by the build), else the nearest parent with crds/. */
  static Path root() {
    String configured = System.getProperty("zerokube.root");
    if (configured != null && !configured.isBlank()) {
      return Path.of(configured);
    }
    for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
      if (Files.isDirectory(dir.resolve("crds")) && Files.isRegularFile(dir.resolve("pom.xml"))) {
        return dir;
      }
    }
    throw new IllegalStateException("repository root not found; set -Dzerokube.root");
  }

  static Path committedDir() {
    return root().resolve("crds");
  }

  /** The file name of a resource's CRD, as the generator names it. */
  static String fileName(Class<? extends CustomResource<?, ?>> type) {
    return CustomResource.getCRDName(type) + "-v1.yml";
  }

  /** The committed CRD of a resource class. */
  static CustomResourceDefinition committed(Class<? extends CustomResource<?, ?>> type) {
    try {
      return SERIALIZATION.unmarshal(
          Files.readString(committedDir().resolve(fileName(type))), CustomResourceDefinition.class);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The openAPIV3Schema of the committed CRD's only version, as a tree. */
  static JsonNode schema(Class<? extends CustomResource<?, ?>> type) {
    CustomResourceDefinition crd = committed(type);
    return SERIALIZATION.convertValue(
        crd.getSpec().getVersions().get(0).getSchema().getOpenAPIV3Schema(), JsonNode.class);
  }
}
