package dev.zerokube.overlay.rules;

import dev.zerokube.overlay.wire.rules.RuleEntry;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A compiled rule program: the base rule table, the capabilities and the tags, both typed and in
 * the JSON form ZeroTier 1.14.1's compiler ({@code cli.js}) prints.
 *
 * <p>The typed rule tables are what a 1.14.1 controller makes of the JSON
 * ({@link dev.zerokube.overlay.wire.rules.ControllerRuleJson#parse}), so encoding them with
 * {@link dev.zerokube.overlay.wire.rules.RuleCodec} gives the bytes the controller issues.
 *
 * <p>The JSON is modelled as in {@code ControllerRuleJson}: maps (in the compiler's key order),
 * lists, {@code String}, {@code Long}, {@code Boolean} and {@code null}, all unmodifiable. The
 * values are the compiler's verbatim: {@code tee -1} gives {@code "length": -1}, an IP match keeps
 * its text as written, a tag default above 2^31-1 is negative.
 */
public final class CompiledRules {
    private final List<RuleEntry> rules;
    private final List<CapabilityDefinition> capabilities;
    private final List<TagDefinition> tags;
    private final Map<String, Object> config;
    private final Map<String, Object> capabilitiesByName;
    private final Map<String, Object> tagsByName;

    CompiledRules(List<RuleEntry> rules, List<CapabilityDefinition> capabilities, List<TagDefinition> tags,
            Map<String, Object> config, Map<String, Object> capabilitiesByName, Map<String, Object> tagsByName) {
        this.rules = List.copyOf(rules);
        this.capabilities = List.copyOf(capabilities);
        this.tags = List.copyOf(tags);
        this.config = frozenMap(config);
        this.capabilitiesByName = frozenMap(capabilitiesByName);
        this.tagsByName = frozenMap(tagsByName);
    }

    /** The base rule table (network config key {@code R}). */
    public List<RuleEntry> rules() {
        return rules;
    }

    /** The capabilities in definition order (the controller orders them by id when it issues them). */
    public List<CapabilityDefinition> capabilities() {
        return capabilities;
    }

    /** The tags in definition order. */
    public List<TagDefinition> tags() {
        return tags;
    }

    /** The capability named {@code name} (lower case, as defined). */
    public Optional<CapabilityDefinition> capability(String name) {
        return capabilities.stream().filter(c -> c.name().equals(name)).findFirst();
    }

    /** The tag named {@code name} (lower case, as defined). */
    public Optional<TagDefinition> tag(String name) {
        return tags.stream().filter(t -> t.name().equals(name)).findFirst();
    }

    /**
     * {@code {"rules": [...], "capabilities": [{"id", "default", "rules"}...], "tags": [{"id",
     * "default"}...]}}: what gets merged into a controller's network object.
     */
    public Map<String, Object> configJson() {
        return config;
    }

    /** {@code {name: id}} for every capability. */
    public Map<String, Object> capabilitiesByNameJson() {
        return capabilitiesByName;
    }

    /** {@code {name: {"id", "default", "enums": {name: value}, "flags": {name: mask}}}} for every tag. */
    public Map<String, Object> tagsByNameJson() {
        return tagsByName;
    }

    /** The whole {@code cli.js} output: {@code {"config", "capabilitiesByName", "tagsByName"}}. */
    public Map<String, Object> toJson() {
        Map<String, Object> all = new LinkedHashMap<>();
        all.put("config", config);
        all.put("capabilitiesByName", capabilitiesByName);
        all.put("tagsByName", tagsByName);
        return Collections.unmodifiableMap(all);
    }

    @Override
    public String toString() {
        return "CompiledRules" + toJson();
    }

    private static Map<String, Object> frozenMap(Map<String, ?> m) {
        Map<String, Object> copy = new LinkedHashMap<>();
        m.forEach((k, v) -> copy.put(k, frozen(v)));
        return Collections.unmodifiableMap(copy);
    }

    private static Object frozen(Object v) {
        if (v instanceof Map<?, ?> m) {
            Map<String, Object> copy = new LinkedHashMap<>();
            m.forEach((k, x) -> copy.put((String) k, frozen(x)));
            return Collections.unmodifiableMap(copy);
        }
        if (v instanceof List<?> l) {
            List<Object> copy = new ArrayList<>(l.size());
            l.forEach(x -> copy.add(frozen(x)));
            return Collections.unmodifiableList(copy);
        }
        return v;
    }
}
