package dev.zerokube.overlay.rules;

import java.util.List;
import java.util.Objects;

/**
 * The rule-related part of our network config that every filter call needs (ZT1-06 §6.1, §7):
 * the base table, our own capabilities (kept in ascending id order, the order the outbound driver
 * tries them), our own tags, and the config flag {@code RULES_RESULT_OF_UNSUPPORTED_MATCH}.
 */
public record NetworkRules(RuleTable base, List<RuleTable> capabilities, TagValues tags,
        boolean unsupportedMatchResult) {
    public NetworkRules {
        Objects.requireNonNull(base, "base");
        Objects.requireNonNull(tags, "tags");
        if (base.capabilityId() != RuleTable.BASE) {
            throw new IllegalArgumentException("base table is a capability: " + base.capabilityId());
        }
        capabilities = RuleTable.sortedById(capabilities);
        for (RuleTable cap : capabilities) {
            if (cap.capabilityId() == RuleTable.BASE) {
                throw new IllegalArgumentException("a capability table without capability id");
            }
        }
    }

    /** A base table alone: no capabilities, no tags, unknown matches evaluate to false. */
    public static NetworkRules of(RuleTable base) {
        return new NetworkRules(base, List.of(), TagValues.EMPTY, false);
    }
}
