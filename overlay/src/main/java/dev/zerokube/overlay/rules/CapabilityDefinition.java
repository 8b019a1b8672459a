package dev.zerokube.overlay.rules;

import dev.zerokube.overlay.wire.rules.RuleEntry;
import java.util.List;
import java.util.Objects;

/**
 * A {@code cap} definition of a rule program: the rule table the controller signs into a
 * {@link dev.zerokube.overlay.wire.credentials.Capability} for the members that hold it.
 *
 * @param name the capability's name, lower case
 * @param id the capability id, 0..2^32-1
 * @param isDefault whether the controller grants it to newly created members ({@code default})
 * @param rules the capability's rule table as the controller issues it
 */
public record CapabilityDefinition(String name, long id, boolean isDefault, List<RuleEntry> rules) {
    public CapabilityDefinition {
        Objects.requireNonNull(name, "name");
        rules = List.copyOf(rules);
    }
}
