package dev.zerokube.operator.api.network;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Min;
import java.util.Objects;

/**
 * status.members: how many Members the network has, as last counted by the operator.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class MemberCounts {

  @Min(0)
  @JsonPropertyDescription("Members of the network, authorized or not.")
  private Integer total;

  @Min(0)
  @JsonPropertyDescription("Members that are authorized.")
  private Integer authorized;

  @Min(0)
  @JsonPropertyDescription("Members that talked to the controller recently (Member status.online).")
  private Integer online;

  public Integer getTotal() {
    return total;
  }

  public void setTotal(Integer total) {
    this.total = total;
  }

  public Integer getAuthorized() {
    return authorized;
  }

  public void setAuthorized(Integer authorized) {
    this.authorized = authorized;
  }

  public Integer getOnline() {
    return online;
  }

  public void setOnline(Integer online) {
    this.online = online;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof MemberCounts that
        && Objects.equals(total, that.total)
        && Objects.equals(authorized, that.authorized)
        && Objects.equals(online, that.online);
  }

  @Override
  public int hashCode() {
    return Objects.hash(total, authorized, online);
  }
}
