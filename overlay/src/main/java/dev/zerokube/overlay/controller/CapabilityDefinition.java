package dev.zerokube.overlay.controller;

import dev.zerokube.overlay.wire.rules.RuleEntry;
import java.util.List;

/**
 * One entry of a network's {@code capabilities} (ZT1-09 §2.1, ZT1-06 §5): a rule set the
 * controller issues, signed, to the members that list its id.
 *
 * @param id 32-bit capability id
 * @param isDefault JSON {@code default}: granted to a member whose record an authorized request
 *     creates (ZT1-09 §4.4, quirk Q4)
 * @param rules the capability's rules in order (1.14.1 issues at most the first 64)
 */
public record CapabilityDefinition(long id, boolean isDefault, List<RuleEntry> rules) {
    public CapabilityDefinition {
        NetworkRecord.requireU32(id, "capability id");
        rules = List.copyOf(rules);
    }
}
