package dev.zerokube.operator.api.network;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import dev.zerokube.operator.api.SchemaPatterns;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import io.fabric8.generator.annotation.ValidationRules;
import java.util.Objects;

/**
 * spec.controller: which ZeroTier network controller serves the network. Embedded: this cluster's
 * operator runs it and chooses the network ID; External: another controller (another cluster's
 * operator, a standalone zerokube controller, ZeroTier One's) already serves the network ID given
 * here.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRules({
    @ValidationRule(value = "!has(self.mode) || self.mode != 'External' || has(self.networkId)",
        message = "networkId is required when mode is External", reason = "FieldValueRequired",
        fieldPath = ".networkId"),
    @ValidationRule(value = "(has(self.mode) && self.mode == 'External')"
        + " || (!has(self.networkId) && !has(self.joinEndpoint))",
        message = "networkId and joinEndpoint are only allowed when mode is External: an Embedded"
            + " controller assigns the network ID itself (status.networkId)",
        reason = "FieldValueForbidden")
})
public class ControllerSpec {

  @Default("Embedded")
  @ValidationRule(value = "self == oldSelf",
      message = "controller.mode cannot change; create another ZeroTierNetwork")
  @JsonPropertyDescription("Embedded (default): the operator runs the network controller and assigns "
      + "status.networkId. External: the network is controlled elsewhere and "
      + "spec.controller.networkId names it. Cannot change after creation.")
  private ControllerMode mode;

  @Pattern(SchemaPatterns.NETWORK_ID)
  @Size(max = 16)
  @ValidationRule(value = "self == oldSelf",
      message = "controller.networkId cannot change; create another ZeroTierNetwork")
  @JsonPropertyDescription("External mode only, and then required: the 16 lowercase hex digits of the "
      + "existing network's ID (its controller's address followed by 24 bits). Cannot "
      + "change after creation.")
  private String networkId;

  @Pattern(SchemaPatterns.HTTPS_URL)
  @Size(max = 2048)
  @JsonPropertyDescription("External mode only, optional: the HTTPS URL of the join endpoint of the "
      + "cluster whose operator controls the network (its Service zerokube-join, path "
      + "/v1/join). This cluster's pods register there; without it they join as "
      + "ordinary ZeroTier members and must be authorized at the controller.")
  private String joinEndpoint;

  public ControllerMode getMode() {
    return mode;
  }

  public void setMode(ControllerMode mode) {
    this.mode = mode;
  }

  public String getNetworkId() {
    return networkId;
  }

  public void setNetworkId(String networkId) {
    this.networkId = networkId;
  }

  public String getJoinEndpoint() {
    return joinEndpoint;
  }

  public void setJoinEndpoint(String joinEndpoint) {
    this.joinEndpoint = joinEndpoint;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ControllerSpec that
        && Objects.equals(mode, that.mode)
        && Objects.equals(networkId, that.networkId)
        && Objects.equals(joinEndpoint, that.joinEndpoint);
  }

  @Override
  public int hashCode() {
    return Objects.hash(mode, networkId, joinEndpoint);
  }
}
