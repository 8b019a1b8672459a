package dev.zerokube.overlay.controller;

import java.util.Objects;
import java.util.OptionalLong;

/**
 * One entry of a network's {@code tags} (ZT1-09 §2.1): a tag id and the value a member gets when
 * its record has none for that id.
 *
 * @param id 32-bit tag id
 * @param defaultValue JSON {@code default}: a 32-bit value, or empty for {@code null} (no default)
 */
public record TagDefinition(long id, OptionalLong defaultValue) {
    public TagDefinition {
        NetworkRecord.requireU32(id, "tag id");
        Objects.requireNonNull(defaultValue, "defaultValue");
        if (defaultValue.isPresent()) {
            NetworkRecord.requireU32(defaultValue.getAsLong(), "tag default");
        }
    }
}
