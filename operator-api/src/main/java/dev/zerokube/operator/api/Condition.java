package dev.zerokube.operator.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.crdv2.generator.v1.SchemaCustomizer;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import java.util.Objects;

/**
 * One entry of {@code status.conditions}, in the standard shape of metav1.Condition (KUBERNETES.md
 * item 2), so that {@code kubectl wait --for=condition=Ready} and other tools understand it. The
 * list is keyed by {@code type} (at most one entry per type).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@SchemaCustomizer(value = SchemaPatch.class,
    input = "{\"properties\": {\"lastTransitionTime\": {\"format\": \"date-time\"}}}")
public class Condition {

  @Required
  @Pattern(SchemaPatterns.CONDITION_TYPE)
  @Size(max = 316)
  @JsonPropertyDescription("Kind of condition in CamelCase, e.g. Ready. Ready reflects the data "
      + "plane (the network's controller answers, the member is online), not merely that objects exist.")
  private String type;

  @Required
  @JsonPropertyDescription("Whether the condition holds: True, False or Unknown.")
  private ConditionStatus status;

  @Min(0)
  @JsonPropertyDescription("The metadata.generation this condition was computed from; older than "
      + "the object's generation means the condition may be out of date.")
  private Long observedGeneration;

  @Required
  @Size(max = 64)
  @JsonPropertyDescription("When status last changed (RFC 3339). It does not change when only the "
      + "reason or message does.")
  private String lastTransitionTime;

  @Required
  @Pattern(SchemaPatterns.CONDITION_REASON)
  @Size(min = 1, max = 1024)
  @JsonPropertyDescription("Why the condition has this status: a CamelCase word meant for programs "
      + "and kubectl columns, e.g. ControllerUnreachable.")
  private String reason;

  @Required
  @Size(max = 32768)
  @JsonPropertyDescription("What happened and what to do about it, for humans; may be empty.")
  private String message;

  public String getType() {
    return type;
  }

  public void setType(String type) {
    this.type = type;
  }

  public ConditionStatus getStatus() {
    return status;
  }

  public void setStatus(ConditionStatus status) {
    this.status = status;
  }

  public Long getObservedGeneration() {
    return observedGeneration;
  }

  public void setObservedGeneration(Long observedGeneration) {
    this.observedGeneration = observedGeneration;
  }

  public String getLastTransitionTime() {
    return lastTransitionTime;
  }

  public void setLastTransitionTime(String lastTransitionTime) {
    this.lastTransitionTime = lastTransitionTime;
  }

  public String getReason() {
    return reason;
  }

  public void setReason(String reason) {
    this.reason = reason;
  }

  public String getMessage() {
    return message;
  }

  public void setMessage(String message) {
    this.message = message;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Condition that
        && Objects.equals(type, that.type)
        && status == that.status
        && Objects.equals(observedGeneration, that.observedGeneration)
        && Objects.equals(lastTransitionTime, that.lastTransitionTime)
        && Objects.equals(reason, that.reason)
        && Objects.equals(message, that.message);
  }

  @Override
  public int hashCode() {
    return Objects.hash(type, status, observedGeneration, lastTransitionTime, reason, message);
  }
}
