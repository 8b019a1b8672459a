package dev.zerokube.operator.webhook;

import com.fasterxml.jackson.databind.node.ArrayNode;
import java.util.List;

/** What the webhook does with one pod: exactly one of skip, deny or patch. */
public sealed interface InjectionDecision {

  /** Admit the pod unchanged; {@code reason} says why (logged, and returned as a warning when useful). */
  record Skip(String reason, boolean warn) implements InjectionDecision {}

  /** Refuse the pod; {@code message} is what kubectl shows, so it says what to change. */
  record Deny(String message) implements InjectionDecision {}

  /** Admit the pod with this RFC 6902 JSON patch, joining {@code networks}. */
  record Patch(ArrayNode operations, List<String> networks, SidecarMode mode) implements InjectionDecision {
    public Patch {
      operations = operations.deepCopy();
      networks = List.copyOf(networks);
    }

    @Override
    public ArrayNode operations() {
      return operations.deepCopy();
    }
  }
}
