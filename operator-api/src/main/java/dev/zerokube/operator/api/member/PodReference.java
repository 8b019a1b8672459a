package dev.zerokube.operator.api.member;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import dev.zerokube.operator.api.SchemaPatterns;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Size;
import java.util.Objects;

/**
 * status.pod: the pod a Member belongs to, for Members the operator created when a pod joined.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class PodReference {

  @Pattern(SchemaPatterns.DNS_SUBDOMAIN)
  @Size(max = 253)
  @JsonPropertyDescription("Name of the pod, in the Member's namespace.")
  private String name;

  @Size(max = 128)
  @JsonPropertyDescription("metadata.uid of the pod, so a new pod with the same name is told apart.")
  private String uid;

  public String getName() {
    return name;
  }

  public void setName(String name) {
    this.name = name;
  }

  public String getUid() {
    return uid;
  }

  public void setUid(String uid) {
    this.uid = uid;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof PodReference that
        && Objects.equals(name, that.name)
        && Objects.equals(uid, that.uid);
  }

  @Override
  public int hashCode() {
    return Objects.hash(name, uid);
  }
}
