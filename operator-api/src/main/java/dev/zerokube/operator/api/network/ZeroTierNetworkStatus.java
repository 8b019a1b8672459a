package dev.zerokube.operator.api.network;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import dev.zerokube.operator.api.Condition;
import dev.zerokube.operator.api.SchemaPatch;
import dev.zerokube.operator.api.SchemaPatterns;
import io.fabric8.crdv2.generator.v1.SchemaCustomizer;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import io.fabric8.generator.annotation.ValidationRules;
import java.util.List;
import java.util.Objects;

/**
 * The observed state of a ZeroTierNetwork, written only by the operator (status subresource).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@SchemaCustomizer(value = SchemaPatch.class, input = "{\"properties\": {\"conditions\": {"
    + "\"x-kubernetes-list-type\": \"map\", \"x-kubernetes-list-map-keys\": [\"type\"]}}}")
@ValidationRules({
    @ValidationRule(value = "!has(oldSelf.networkId) || has(self.networkId)",
        message = "status.networkId cannot be removed once assigned", reason = "FieldValueForbidden"),
    @ValidationRule(value = "!has(self.networkId) || !has(self.controllerAddress)"
        + " || self.networkId.startsWith(self.controllerAddress)",
        message = "a network ID starts with its controller's address", reason = "FieldValueInvalid")
})
public class ZeroTierNetworkStatus {

  @Pattern(SchemaPatterns.NETWORK_ID)
  @Size(max = 16)
  @ValidationRule(value = "self == oldSelf", message = "status.networkId never changes once assigned")
  @JsonPropertyDescription("The network's ID, 16 lowercase hex digits: the controller's address (40 bits) "
      + "followed by 24 bits. Assigned once and never changed: members and their "
      + "certificates are bound to it.")
  private String networkId;

  @Pattern(SchemaPatterns.ADDRESS)
  @Size(max = 10)
  @JsonPropertyDescription("The ZeroTier address (10 lowercase hex digits) of the controller serving the "
      + "network; the first 10 digits of networkId.")
  private String controllerAddress;

  @JsonPropertyDescription("Member counts: total, authorized, online.")
  private MemberCounts members;

  @Min(0)
  @JsonPropertyDescription("The metadata.generation of the spec this status reflects.")
  private Long observedGeneration;

  @Size(max = 16)
  @JsonPropertyDescription("Standard conditions, at most one per type: Ready (the data plane works), Valid "
      + "(the spec could be compiled and accepted) and more specific ones; reasons are "
      + "CamelCase words.")
  private List<Condition> conditions;

  public String getNetworkId() {
    return networkId;
  }

  public void setNetworkId(String networkId) {
    this.networkId = networkId;
  }

  public String getControllerAddress() {
    return controllerAddress;
  }

  public void setControllerAddress(String controllerAddress) {
    this.controllerAddress = controllerAddress;
  }

  public MemberCounts getMembers() {
    return members;
  }

  public void setMembers(MemberCounts members) {
    this.members = members;
  }

  public Long getObservedGeneration() {
    return observedGeneration;
  }

  public void setObservedGeneration(Long observedGeneration) {
    this.observedGeneration = observedGeneration;
  }

  public List<Condition> getConditions() {
    return conditions;
  }

  public void setConditions(List<Condition> conditions) {
    this.conditions = conditions;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ZeroTierNetworkStatus that
        && Objects.equals(networkId, that.networkId)
        && Objects.equals(controllerAddress, that.controllerAddress)
        && Objects.equals(members, that.members)
        && Objects.equals(observedGeneration, that.observedGeneration)
        && Objects.equals(conditions, that.conditions);
  }

  @Override
  public int hashCode() {
    return Objects.hash(networkId, controllerAddress, members, observedGeneration, conditions);
  }
}
