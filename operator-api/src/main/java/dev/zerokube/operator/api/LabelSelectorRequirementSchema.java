package dev.zerokube.operator.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import java.util.List;
import java.util.Objects;

/**
 * The schema of one matchExpressions entry of a label selector (see LabelSelectorSchema).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class LabelSelectorRequirementSchema {

  @Required
  @Size(max = 317)
  @JsonPropertyDescription("The label key the requirement applies to.")
  private String key;

  @Required
  @JsonPropertyDescription("In and NotIn: the label's value is (not) one of values; Exists and "
      + "DoesNotExist: the label is (not) present, and values must be empty.")
  private LabelSelectorOperator operator;

  @Size(max = 64)
  @JsonPropertyDescription("Label values for In and NotIn.")
  private List<@Size(max = 63) String> values;

  public String getKey() {
    return key;
  }

  public void setKey(String key) {
    this.key = key;
  }

  public LabelSelectorOperator getOperator() {
    return operator;
  }

  public void setOperator(LabelSelectorOperator operator) {
    this.operator = operator;
  }

  public List<String> getValues() {
    return values;
  }

  public void setValues(List<String> values) {
    this.values = values;
  }
}
