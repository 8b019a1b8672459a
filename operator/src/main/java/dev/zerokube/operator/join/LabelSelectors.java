package dev.zerokube.operator.join;

import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.LabelSelectorRequirement;
import java.util.List;
import java.util.Map;

/**
 * Kubernetes label selector semantics (metav1.LabelSelector): matchLabels and matchExpressions
 * ANDed; {@code {}} matches everything. A malformed requirement (unknown operator, values where
 * none belong) matches nothing, as the API server would have refused it.
 */
public final class LabelSelectors {

  private LabelSelectors() {}

  /** Whether {@code labels} satisfy {@code selector} (non-null; absent-means-what is the caller's rule). */
  public static boolean matches(LabelSelector selector, Map<String, String> labels) {
    Map<String, String> have = labels == null ? Map.of() : labels;
    if (selector.getMatchLabels() != null) {
      for (Map.Entry<String, String> e : selector.getMatchLabels().entrySet()) {
        if (!e.getValue().equals(have.get(e.getKey()))) {
          return false;
        }
      }
    }
    if (selector.getMatchExpressions() != null) {
      for (LabelSelectorRequirement r : selector.getMatchExpressions()) {
        if (!matches(r, have)) {
          return false;
        }
      }
    }
    return true;
  }

  private static boolean matches(LabelSelectorRequirement r, Map<String, String> labels) {
    List<String> values = r.getValues() == null ? List.of() : r.getValues();
    String value = labels.get(r.getKey());
    return switch (r.getOperator() == null ? "" : r.getOperator()) {
      case "In" -> !values.isEmpty() && value != null && values.contains(value);
      case "NotIn" -> !values.isEmpty() && (value == null || !values.contains(value));
      case "Exists" -> values.isEmpty() && value != null;
      case "DoesNotExist" -> values.isEmpty() && value == null;
      default -> false;
    };
  }
}
