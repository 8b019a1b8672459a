package dev.zerokube.overlay.rules;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalLong;

/**
 * A {@code tag} definition of a rule program: the tag's id, the value members get when the
 * controller has none for them, and the symbolic values usable in tag matches.
 *
 * <p>Values are the unsigned 32-bit numbers the controller issues: a default written as
 * {@code 4294967295} (which 1.14.1's compiler emits in JSON as {@code -1}) is {@code 0xffffffff}
 * here. {@link #enums()} and {@link #flags()} keep definition order.
 *
 * @param name the tag's name, lower case
 * @param id the tag id, 0..2^32-1
 * @param defaultValue the default value, absent when the program gives none
 * @param enums enum name to value
 * @param flags flag name to bit mask
 */
public record TagDefinition(String name, long id, OptionalLong defaultValue, Map<String, Long> enums,
        Map<String, Long> flags) {
    public TagDefinition {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(defaultValue, "defaultValue");
        enums = Collections.unmodifiableMap(new LinkedHashMap<>(enums));
        flags = Collections.unmodifiableMap(new LinkedHashMap<>(flags));
    }
}
