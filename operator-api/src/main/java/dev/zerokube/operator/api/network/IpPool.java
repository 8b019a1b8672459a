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
 * One IPv4 range of spec.ipAssignment.pools, inclusive at both ends (ZeroTier's ipAssignmentPools
 * entry ipRangeStart/ipRangeEnd).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
    value = "int(self.start.split('.')[0]) * 16777216 + int(self.start.split('.')[1]) * 65536"
        + " + int(self.start.split('.')[2]) * 256 + int(self.start.split('.')[3])"
        + " <= int(self.end.split('.')[0]) * 16777216 + int(self.end.split('.')[1]) * 65536"
        + " + int(self.end.split('.')[2]) * 256 + int(self.end.split('.')[3])",
    message = "pool start must not be after its end", reason = "FieldValueInvalid")
public class IpPool {

  @Required
  @Pattern(SchemaPatterns.IPV4)
  @Size(max = 15)
  @JsonPropertyDescription("First address of the range (IPv4, e.g. 10.147.17.1).")
  private String start;

  @Required
  @Pattern(SchemaPatterns.IPV4)
  @Size(max = 15)
  @JsonPropertyDescription("Last address of the range, inclusive; not before start (IPv4, e.g. "
      + "10.147.17.254).")
  private String end;

  public String getStart() {
    return start;
  }

  public void setStart(String start) {
    this.start = start;
  }

  public String getEnd() {
    return end;
  }

  public void setEnd(String end) {
    this.end = end;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof IpPool that
        && Objects.equals(start, that.start)
        && Objects.equals(end, that.end);
  }

  @Override
  public int hashCode() {
    return Objects.hash(start, end);
  }
}
