package dev.zerokube.operator.api.network;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import dev.zerokube.operator.api.SchemaPatterns;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.Objects;

/**
 * One entry of spec.routes: a prefix members reach through the network, either on-link (no via) or
 * through a gateway member.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(value = "!has(self.via) || self.target.contains(':') == self.via.contains(':')",
    message = "via must be an address of the same family (IPv4 or IPv6) as target",
    reason = "FieldValueInvalid", fieldPath = ".via")
public class Route {

  @Required
  @Pattern(SchemaPatterns.CIDR)
  @Size(max = SchemaPatterns.CIDR_LENGTH_MAX)
  @JsonPropertyDescription("The destination prefix in CIDR notation, e.g. 10.147.17.0/24 or fd00::/8. A "
      + "route without via is the network's own subnet and also gives statically and "
      + "pool-assigned addresses their prefix length.")
  private String target;

  @Pattern(SchemaPatterns.IP)
  @Size(max = SchemaPatterns.IP_LENGTH_MAX)
  @JsonPropertyDescription("Optional gateway: the address of a member (of the same IP family as target) "
      + "that forwards traffic for target. Absent: target is reachable directly on the "
      + "network.")
  private String via;

  public String getTarget() {
    return target;
  }

  public void setTarget(String target) {
    this.target = target;
  }

  public String getVia() {
    return via;
  }

  public void setVia(String via) {
    this.via = via;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Route that
        && Objects.equals(target, that.target)
        && Objects.equals(via, that.via);
  }

  @Override
  public int hashCode() {
    return Objects.hash(target, via);
  }
}
