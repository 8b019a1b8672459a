package dev.zerokube.overlay.controller;

import java.util.Objects;
import java.util.Optional;

/**
 * The result of {@link PolicyStore#writeMember}.
 *
 * @param outcome what happened
 * @param stored the record the store holds afterwards (with its revision); empty only when a
 *     conflict found no record
 */
public record MemberWrite(Outcome outcome, Optional<MemberRecord> stored) {
    /** What a compare-and-set write did. */
    public enum Outcome {
        /** Written; the stored revision is the expected one + 1 (1 for a new record). */
        STORED,
        /** The record equals the stored one but for the revision: nothing written, no revision bump. */
        UNCHANGED,
        /** The stored revision was not the expected one (or the record appeared or vanished): nothing written. */
        CONFLICT
    }

    public MemberWrite {
        Objects.requireNonNull(outcome, "outcome");
        Objects.requireNonNull(stored, "stored");
        if (outcome != Outcome.CONFLICT && stored.isEmpty()) {
            throw new IllegalArgumentException(outcome + " without the stored record");
        }
    }
}
