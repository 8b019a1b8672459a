package dev.zerokube.operator.api.network;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Size;
import java.util.List;
import java.util.Objects;

/**
 * spec.ipAssignment: how members get addresses besides the static ones in each Member's
 * spec.ipAssignments (ZeroTier's ipAssignmentPools, v4AssignMode and v6AssignMode).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class IpAssignment {

  @Size(max = 64)
  @JsonPropertyDescription("IPv4 ranges that members without a static IPv4 address get one from when "
      + "v4AutoAssign is true; the first free address in pool order is taken. Pools "
      + "must not overlap each other: the validating webhook checks that (CEL cannot "
      + "compare list entries pairwise within its cost budget). Each pool should lie "
      + "inside one of spec.routes, so members know the prefix length.")
  private List<IpPool> pools;

  @Default("false")
  @JsonPropertyDescription("Assign each member without a static IPv4 address one from pools (ZeroTier's "
      + "v4AssignMode zt). Default false, as in ZeroTier.")
  private Boolean v4AutoAssign;

  @Default("false")
  @JsonPropertyDescription("Give every member a 6PLANE IPv6 address (/40, derived from the network ID and "
      + "the member's address; members also route a /80 to themselves). Default false.")
  private Boolean sixPlane;

  @Default("false")
  @JsonPropertyDescription("Give every member an RFC 4193 IPv6 address (/88, derived from the network ID "
      + "and the member's address). Default false.")
  private Boolean rfc4193;

  public List<IpPool> getPools() {
    return pools;
  }

  public void setPools(List<IpPool> pools) {
    this.pools = pools;
  }

  public Boolean getV4AutoAssign() {
    return v4AutoAssign;
  }

  public void setV4AutoAssign(Boolean v4AutoAssign) {
    this.v4AutoAssign = v4AutoAssign;
  }

  public Boolean getSixPlane() {
    return sixPlane;
  }

  public void setSixPlane(Boolean sixPlane) {
    this.sixPlane = sixPlane;
  }

  public Boolean getRfc4193() {
    return rfc4193;
  }

  public void setRfc4193(Boolean rfc4193) {
    this.rfc4193 = rfc4193;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof IpAssignment that
        && Objects.equals(pools, that.pools)
        && Objects.equals(v4AutoAssign, that.v4AutoAssign)
        && Objects.equals(sixPlane, that.sixPlane)
        && Objects.equals(rfc4193, that.rfc4193);
  }

  @Override
  public int hashCode() {
    return Objects.hash(pools, v4AutoAssign, sixPlane, rfc4193);
  }
}
