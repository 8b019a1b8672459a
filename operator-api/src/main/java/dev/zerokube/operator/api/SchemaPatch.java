package dev.zerokube.operator.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.crdv2.generator.v1.SchemaCustomizer;
import io.fabric8.kubernetes.api.model.apiextensions.v1.JSONSchemaProps;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.util.Iterator;
import java.util.Map;

/**
 * Adds schema keywords that no generator annotation expresses (a list's map keys, a string's
 * {@code format}) by deep-merging a JSON object into a class's generated schema. Used as
 * {@code @SchemaCustomizer(value = SchemaPatch.class, input = "{...}")}.
 *
 * <p>Fabric8's own MergePatchCustomizer replaces a nested {@code properties} map wholesale, which
 * would drop every property the patch does not mention; this one merges objects key by key and
 * lets the patch's scalars and arrays win. Only the CRD generator runs it.
 */
public final class SchemaPatch implements SchemaCustomizer.Customizer {

  @Override
  public JSONSchemaProps apply(
      JSONSchemaProps props, String input, KubernetesSerialization serialization) {
    ObjectNode schema = serialization.convertValue(props, ObjectNode.class);
    merge(schema, serialization.unmarshal(input, ObjectNode.class));
    return serialization.convertValue(schema, JSONSchemaProps.class);
  }

  private static void merge(ObjectNode target, ObjectNode patch) {
    for (Iterator<Map.Entry<String, JsonNode>> it = patch.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> field = it.next();
      JsonNode existing = target.get(field.getKey());
      if (existing instanceof ObjectNode existingObject
          && field.getValue() instanceof ObjectNode patchObject) {
        merge(existingObject, patchObject);
      } else {
        target.set(field.getKey(), field.getValue());
      }
    }
  }
}
