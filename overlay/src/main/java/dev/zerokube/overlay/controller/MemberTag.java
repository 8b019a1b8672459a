package dev.zerokube.overlay.controller;

/**
 * One {@code [id, value]} pair of a member's {@code tags}: the value the controller signs into
 * the member's Tag credential with that id.
 *
 * @param id 32-bit tag id
 * @param value 32-bit tag value
 */
public record MemberTag(long id, long value) {
    public MemberTag {
        NetworkRecord.requireU32(id, "tag id");
        NetworkRecord.requireU32(value, "tag value");
    }
}
