package dev.zerokube.operator.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Size;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The schema, with descriptions and bounds, of a Kubernetes label selector in these CRDs. Fields
 * hold Fabric8's LabelSelector, which Fabric8 can query with directly, and take their schema from
 * this class (@SchemaFrom), because Fabric8's model carries no descriptions. Never instantiated.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class LabelSelectorSchema {

  @Size(max = 64)
  @JsonPropertyDescription("Labels an object must carry, each with exactly this value. ANDed with "
      + "matchExpressions.")
  private Map<String, @Size(max = 63) String> matchLabels;

  @Size(max = 64)
  @JsonPropertyDescription("Requirements on labels, all of which must hold. ANDed with matchLabels.")
  private List<LabelSelectorRequirementSchema> matchExpressions;

  public Map<String, String> getMatchLabels() {
    return matchLabels;
  }

  public void setMatchLabels(Map<String, String> matchLabels) {
    this.matchLabels = matchLabels;
  }

  public List<LabelSelectorRequirementSchema> getMatchExpressions() {
    return matchExpressions;
  }

  public void setMatchExpressions(List<LabelSelectorRequirementSchema> matchExpressions) {
    this.matchExpressions = matchExpressions;
  }
}
