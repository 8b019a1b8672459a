package dev.zerokube.operator.api.network;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import dev.zerokube.operator.api.LabelSelectorSchema;
import io.fabric8.crd.generator.annotation.SchemaFrom;
import io.fabric8.generator.annotation.Default;
import io.fabric8.kubernetes.api.model.LabelSelector;
import java.util.Objects;

/**
 * spec.admission: which pods may join the network through the join endpoint, and in which
 * namespaces Members of this network may exist. Checked by the join endpoint (pods) and the
 * validating webhook (Members), since both need other objects (namespaces, pods).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class Admission {

  @SchemaFrom(type = LabelSelectorSchema.class)
  @JsonPropertyDescription("Namespaces whose pods may join and in which Members of this network may be "
      + "created. Absent: no namespace, so the network admits nothing until this is "
      + "set; {} selects every namespace.")
  private LabelSelector namespaceSelector;

  @SchemaFrom(type = LabelSelectorSchema.class)
  @JsonPropertyDescription("Pods, within the selected namespaces, that may join. Absent or {}: every pod "
      + "there.")
  private LabelSelector podSelector;

  @Default("true")
  @JsonPropertyDescription("Authorize the Members of admitted pods as they join (default true). false: "
      + "pods join as unauthorized Members and an administrator sets spec.authorized on "
      + "each.")
  private Boolean autoAuthorizePods;

  public LabelSelector getNamespaceSelector() {
    return namespaceSelector;
  }

  public void setNamespaceSelector(LabelSelector namespaceSelector) {
    this.namespaceSelector = namespaceSelector;
  }

  public LabelSelector getPodSelector() {
    return podSelector;
  }

  public void setPodSelector(LabelSelector podSelector) {
    this.podSelector = podSelector;
  }

  public Boolean getAutoAuthorizePods() {
    return autoAuthorizePods;
  }

  public void setAutoAuthorizePods(Boolean autoAuthorizePods) {
    this.autoAuthorizePods = autoAuthorizePods;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Admission that
        && Objects.equals(namespaceSelector, that.namespaceSelector)
        && Objects.equals(podSelector, that.podSelector)
        && Objects.equals(autoAuthorizePods, that.autoAuthorizePods);
  }

  @Override
  public int hashCode() {
    return Objects.hash(namespaceSelector, podSelector, autoAuthorizePods);
  }
}
