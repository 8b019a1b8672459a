package dev.zerokube.operator.api.member;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import dev.zerokube.operator.api.SchemaPatch;
import dev.zerokube.operator.api.SchemaPatterns;
import io.fabric8.crdv2.generator.v1.SchemaCustomizer;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import io.fabric8.generator.annotation.ValidationRules;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The desired state of a Member: one ZeroTier node's membership of one network (ZeroTier's member
 * record, ZT1-09).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@SchemaCustomizer(value = SchemaPatch.class, input = "{\"properties\": {"
    + "\"ipAssignments\": {\"x-kubernetes-list-type\": \"set\"},"
    + "\"capabilities\": {\"x-kubernetes-list-type\": \"set\"}}}")
public class MemberSpec {

  @Required
  @Pattern(SchemaPatterns.DNS_SUBDOMAIN)
  @Size(max = 253)
  @ValidationRule(value = "self == oldSelf", message = "network cannot change; create another Member")
  @JsonPropertyDescription("Name of the ZeroTierNetwork this member belongs to. It must exist and admit "
      + "this namespace (spec.admission.namespaceSelector): the webhook checks both. "
      + "Cannot change.")
  private String network;

  @Required
  @Pattern(SchemaPatterns.ADDRESS)
  @Size(max = 10)
  @ValidationRules({
      @ValidationRule(value = "self != '0000000000' && !self.startsWith('ff')",
          message = "0000000000 and addresses starting with ff are reserved in ZeroTier"),
      @ValidationRule(value = "self == oldSelf", message = "address cannot change; create another Member")
  })
  @JsonPropertyDescription("The node's ZeroTier address, 10 lowercase hex digits (zerotier-cli info prints "
      + "it). 0000000000 and addresses starting with ff are reserved. One Member per "
      + "address and network: the webhook refuses a second one. Cannot change.")
  private String address;

  @Default("false")
  @JsonPropertyDescription("Whether the member may use the network (default false). Setting it back to "
      + "false revokes the member: the controller pushes a Revocation and peers drop "
      + "its traffic.")
  private Boolean authorized;

  @Size(max = 32)
  @JsonPropertyDescription("Static addresses (IPv4 or IPv6, no prefix length), at most 32 as ZeroTier "
      + "carries. Absent: addresses come from the network's pools and IPv6 modes. Each "
      + "should lie inside one of the network's routes and be used by no other member: "
      + "the webhook checks both.")
  private List<@Pattern(SchemaPatterns.IP) @Size(max = SchemaPatterns.IP_LENGTH_MAX) String> ipAssignments;

  @Default("false")
  @JsonPropertyDescription("Give this member no automatic addresses (no pool address, no 6PLANE or RFC "
      + "4193 address); default false.")
  private Boolean noAutoAssignIps;

  @Default("false")
  @JsonPropertyDescription("Allow this member to bridge other Ethernet hosts onto the network (it may send "
      + "frames from other MAC addresses and receives all broadcast); default false.")
  private Boolean activeBridge;

  @Size(max = 128)
  @JsonPropertyDescription("Tag values by tag ID, both 32-bit unsigned integers, e.g. {\"1000\": 1}; rules "
      + "match on them. Keys are decimal tag IDs, which should be declared by a tag in "
      + "the network's rules: the webhook checks both (the schema cannot constrain map "
      + "keys).")
  private Map<String, @Min(0) @Max(4294967295.0) Long> tags;

  @Size(max = 128)
  @JsonPropertyDescription("IDs of the capabilities (declared by cap in the network's rules; the webhook "
      + "checks that) granted to this member, at most 128.")
  private List<@Min(0) @Max(4294967295.0) Long> capabilities;

  public String getNetwork() {
    return network;
  }

  public void setNetwork(String network) {
    this.network = network;
  }

  public String getAddress() {
    return address;
  }

  public void setAddress(String address) {
    this.address = address;
  }

  public Boolean getAuthorized() {
    return authorized;
  }

  public void setAuthorized(Boolean authorized) {
    this.authorized = authorized;
  }

  public List<String> getIpAssignments() {
    return ipAssignments;
  }

  public void setIpAssignments(List<String> ipAssignments) {
    this.ipAssignments = ipAssignments;
  }

  public Boolean getNoAutoAssignIps() {
    return noAutoAssignIps;
  }

  public void setNoAutoAssignIps(Boolean noAutoAssignIps) {
    this.noAutoAssignIps = noAutoAssignIps;
  }

  public Boolean getActiveBridge() {
    return activeBridge;
  }

  public void setActiveBridge(Boolean activeBridge) {
    this.activeBridge = activeBridge;
  }

  public Map<String, Long> getTags() {
    return tags;
  }

  public void setTags(Map<String, Long> tags) {
    this.tags = tags;
  }

  public List<Long> getCapabilities() {
    return capabilities;
  }

  public void setCapabilities(List<Long> capabilities) {
    this.capabilities = capabilities;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof MemberSpec that
        && Objects.equals(network, that.network)
        && Objects.equals(address, that.address)
        && Objects.equals(authorized, that.authorized)
        && Objects.equals(ipAssignments, that.ipAssignments)
        && Objects.equals(noAutoAssignIps, that.noAutoAssignIps)
        && Objects.equals(activeBridge, that.activeBridge)
        && Objects.equals(tags, that.tags)
        && Objects.equals(capabilities, that.capabilities);
  }

  @Override
  public int hashCode() {
    return Objects.hash(network, address, authorized, ipAssignments,
        noAutoAssignIps, activeBridge, tags, capabilities);
  }
}
