package dev.zerokube.operator.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Checks a value against a CRD's structural OpenAPI v3 schema the way the API server's schema
 * validation does, for the keywords our CRDs use: type, nullable, properties, required, unknown
 * fields, additionalProperties, items, enum, pattern, minLength/maxLength, minimum/maximum
 * (exclusive too), minItems/maxItems, maxProperties, format date-time, and list types set and map.
 *
 * <p>Stricter than the server in one place: a field the schema does not know is an error here,
 * where the server would silently prune it (in an example, that is always a mistake). Not
 * checked: {@code x-kubernetes-validations} (CEL, see CelRulesTest), defaulting, and
 * {@code metadata}, which the server validates as ObjectMeta.
 */
final class StructuralSchema {

  private StructuralSchema() {}

  /** Every violation, each as "path: what", empty when the value is valid. */
  static List<String> validate(JsonNode schema, JsonNode value) {
    List<String> errors = new ArrayList<>();
    check(schema, value, "", errors);
    return errors;
  }

  private static void check(JsonNode schema, JsonNode value, String path, List<String> errors) {
    String at = path.isEmpty() ? "<root>" : path;
    if (value.isNull()) {
      if (!schema.path("nullable").asBoolean(false)) {
        errors.add(at + ": null is not allowed");
      }
      return;
    }
    String type = schema.path("type").asText("");
    switch (type) {
      case "object" -> checkObject(schema, value, path, at, errors);
      case "array" -> checkArray(schema, value, path, at, errors);
      case "string" -> checkString(schema, value, at, errors);
      case "integer" -> {
        if (!value.isIntegralNumber()) {
          errors.add(at + ": expected an integer, got " + value);
        } else {
          checkBounds(schema, value, at, errors);
        }
      }
      case "number" -> {
        if (!value.isNumber()) {
          errors.add(at + ": expected a number, got " + value);
        } else {
          checkBounds(schema, value, at, errors);
        }
      }
      case "boolean" -> {
        if (!value.isBoolean()) {
          errors.add(at + ": expected a boolean, got " + value);
        }
      }
      default -> errors.add(at + ": schema without a known type: " + schema);
    }
    if (schema.has("enum")) {
      boolean found = false;
      for (JsonNode allowed : schema.get("enum")) {
        found |= allowed.equals(value);
      }
      if (!found) {
        errors.add(at + ": " + value + " is not one of " + schema.get("enum"));
      }
    }
  }

  private static void checkObject(
      JsonNode schema, JsonNode value, String path, String at, List<String> errors) {
    if (!value.isObject()) {
      errors.add(at + ": expected an object, got " + value);
      return;
    }
    JsonNode properties = schema.path("properties");
    JsonNode additional = schema.get("additionalProperties");
    boolean preserve = schema.path("x-kubernetes-preserve-unknown-fields").asBoolean(false);
    for (Iterator<Map.Entry<String, JsonNode>> it = value.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> field = it.next();
      String child = path + "." + field.getKey();
      if (path.isEmpty() && (field.getKey().equals("metadata")
          || field.getKey().equals("apiVersion") || field.getKey().equals("kind"))) {
        continue;
      }
      if (properties.has(field.getKey())) {
        check(properties.get(field.getKey()), field.getValue(), child, errors);
      } else if (additional != null && additional.isObject()) {
        check(additional, field.getValue(), child, errors);
      } else if (!preserve) {
        errors.add(child + ": unknown field (the API server would prune it)");
      }
    }
    for (JsonNode required : schema.path("required")) {
      if (!value.has(required.asText())) {
        errors.add(at + ": required field " + required.asText() + " is missing");
      }
    }
    if (schema.has("maxProperties") && value.size() > schema.get("maxProperties").asInt()) {
      errors.add(at + ": more than " + schema.get("maxProperties") + " entries");
    }
    if (schema.has("minProperties") && value.size() < schema.get("minProperties").asInt()) {
      errors.add(at + ": fewer than " + schema.get("minProperties") + " entries");
    }
  }

  private static void checkArray(
      JsonNode schema, JsonNode value, String path, String at, List<String> errors) {
    if (!value.isArray()) {
      errors.add(at + ": expected an array, got " + value);
      return;
    }
    for (int i = 0; i < value.size(); i++) {
      check(schema.get("items"), value.get(i), path + "[" + i + "]", errors);
    }
    if (schema.has("maxItems") && value.size() > schema.get("maxItems").asInt()) {
      errors.add(at + ": more than " + schema.get("maxItems") + " items");
    }
    if (schema.has("minItems") && value.size() < schema.get("minItems").asInt()) {
      errors.add(at + ": fewer than " + schema.get("minItems") + " items");
    }
    String listType = schema.path("x-kubernetes-list-type").asText("atomic");
    Set<JsonNode> seen = new HashSet<>();
    for (JsonNode item : value) {
      JsonNode key = item;
      if (listType.equals("map")) {
        key = item.deepCopy();
        ((ObjectNode) key).retain(keys(schema));
      }
      if (!listType.equals("atomic") && !seen.add(key)) {
        errors.add(at + ": duplicate entry " + key + " in a list of type " + listType);
      }
    }
  }

  private static List<String> keys(JsonNode schema) {
    List<String> keys = new ArrayList<>();
    schema.path("x-kubernetes-list-map-keys").forEach(k -> keys.add(k.asText()));
    return keys;
  }

  private static void checkString(JsonNode schema, JsonNode value, String at, List<String> errors) {
    if (!value.isTextual()) {
      errors.add(at + ": expected a string, got " + value);
      return;
    }
    String text = value.asText();
    int length = text.codePointCount(0, text.length());
    if (schema.has("maxLength") && length > schema.get("maxLength").asInt()) {
      errors.add(at + ": longer than " + schema.get("maxLength") + " characters");
    }
    if (schema.has("minLength") && length < schema.get("minLength").asInt()) {
      errors.add(at + ": shorter than " + schema.get("minLength") + " characters");
    }
    // OpenAPI patterns are unanchored, as Go's regexp.MatchString: find(), not matches(); and
    // RE2 (re2j), the engine family of the API server's regexp package.
    if (schema.has("pattern")
        && !com.google.re2j.Pattern.compile(schema.get("pattern").asText()).matcher(text).find()) {
      errors.add(at + ": \"" + text + "\" does not match " + schema.get("pattern").asText());
    }
    if (schema.path("format").asText("").equals("date-time")) {
      try {
        OffsetDateTime.parse(text);
      } catch (DateTimeParseException e) {
        errors.add(at + ": \"" + text + "\" is not an RFC 3339 date-time");
      }
    }
  }

  private static void checkBounds(JsonNode schema, JsonNode value, String at, List<String> errors) {
    double v = value.asDouble();
    if (schema.has("minimum")) {
      double min = schema.get("minimum").asDouble();
      boolean exclusive = schema.path("exclusiveMinimum").asBoolean(false);
      if (exclusive ? v <= min : v < min) {
        errors.add(at + ": " + value + " is below the minimum " + schema.get("minimum"));
      }
    }
    if (schema.has("maximum")) {
      double max = schema.get("maximum").asDouble();
      boolean exclusive = schema.path("exclusiveMaximum").asBoolean(false);
      if (exclusive ? v >= max : v > max) {
        errors.add(at + ": " + value + " is above the maximum " + schema.get("maximum"));
      }
    }
  }
}
