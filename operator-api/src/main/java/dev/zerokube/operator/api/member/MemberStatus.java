package dev.zerokube.operator.api.member;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import dev.zerokube.operator.api.Condition;
import dev.zerokube.operator.api.SchemaPatch;
import dev.zerokube.operator.api.SchemaPatterns;
import io.fabric8.crdv2.generator.v1.SchemaCustomizer;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Size;
import java.util.List;
import java.util.Objects;

/**
 * The observed state of a Member, written only by the operator (status subresource).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@SchemaCustomizer(value = SchemaPatch.class, input = "{\"properties\": {"
    + "\"conditions\": {\"x-kubernetes-list-type\": \"map\", \"x-kubernetes-list-map-keys\": [\"type\"]},"
    + "\"ipAssignments\": {\"x-kubernetes-list-type\": \"set\"},"
    + "\"lastSeen\": {\"format\": \"date-time\"}}}")
public class MemberStatus {

  @Size(max = 32)
  @JsonPropertyDescription("The addresses the controller issued to the member: static ones and "
      + "pool-assigned ones (the 6PLANE and RFC 4193 addresses are derived by members "
      + "and not listed).")
  private List<@Pattern(SchemaPatterns.IP) @Size(max = SchemaPatterns.IP_LENGTH_MAX) String> ipAssignments;

  @JsonPropertyDescription("Whether the member asked the controller for its configuration recently, i.e. "
      + "is up.")
  private Boolean online;

  @Size(max = 64)
  @JsonPropertyDescription("When the member last asked the controller for its configuration (RFC 3339).")
  private String lastSeen;

  @Pattern(SchemaPatterns.PHYSICAL_ADDRESS)
  @Size(max = 45)
  @JsonPropertyDescription("The physical address and UDP port the member's last request came from, as "
      + "ZeroTier prints it, e.g. 203.0.113.7/9993.")
  private String physicalAddress;

  @Pattern(SchemaPatterns.VERSION)
  @Size(max = 17)
  @JsonPropertyDescription("The member's ZeroTier version as it reported it, e.g. 1.14.1.")
  private String clientVersion;

  @JsonPropertyDescription("true once the controller has issued a Revocation for this member (after "
      + "deauthorization or deletion), so peers drop its traffic.")
  private Boolean revoked;

  @JsonPropertyDescription("The pod this Member belongs to (the Member is also owned by the pod); absent "
      + "for Members of other nodes, such as laptops.")
  private PodReference pod;

  @Min(0)
  @JsonPropertyDescription("The metadata.generation of the spec this status reflects.")
  private Long observedGeneration;

  @Size(max = 16)
  @JsonPropertyDescription("Standard conditions, at most one per type: Ready (the data plane works), Valid "
      + "(the spec could be compiled and accepted) and more specific ones; reasons are "
      + "CamelCase words.")
  private List<Condition> conditions;

  public List<String> getIpAssignments() {
    return ipAssignments;
  }

  public void setIpAssignments(List<String> ipAssignments) {
    this.ipAssignments = ipAssignments;
  }

  public Boolean getOnline() {
    return online;
  }

  public void setOnline(Boolean online) {
    this.online = online;
  }

  public String getLastSeen() {
    return lastSeen;
  }

  public void setLastSeen(String lastSeen) {
    this.lastSeen = lastSeen;
  }

  public String getPhysicalAddress() {
    return physicalAddress;
  }

  public void setPhysicalAddress(String physicalAddress) {
    this.physicalAddress = physicalAddress;
  }

  public String getClientVersion() {
    return clientVersion;
  }

  public void setClientVersion(String clientVersion) {
    this.clientVersion = clientVersion;
  }

  public Boolean getRevoked() {
    return revoked;
  }

  public void setRevoked(Boolean revoked) {
    this.revoked = revoked;
  }

  public PodReference getPod() {
    return pod;
  }

  public void setPod(PodReference pod) {
    this.pod = pod;
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
    return o instanceof MemberStatus that
        && Objects.equals(ipAssignments, that.ipAssignments)
        && Objects.equals(online, that.online)
        && Objects.equals(lastSeen, that.lastSeen)
        && Objects.equals(physicalAddress, that.physicalAddress)
        && Objects.equals(clientVersion, that.clientVersion)
        && Objects.equals(revoked, that.revoked)
        && Objects.equals(pod, that.pod)
        && Objects.equals(observedGeneration, that.observedGeneration)
        && Objects.equals(conditions, that.conditions);
  }

  @Override
  public int hashCode() {
    return Objects.hash(ipAssignments, online, lastSeen, physicalAddress, clientVersion,
        revoked, pod, observedGeneration, conditions);
  }
}
