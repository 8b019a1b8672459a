package dev.zerokube.overlay.controller;

import java.util.Objects;
import java.util.OptionalInt;

/**
 * A controller API body that is refused, with the field and the reason (HTTP 400). For a rule
 * program that does not compile, also the 1-based line and column of the error.
 */
public final class ApiInputException extends Exception {
    private static final long serialVersionUID = 1L;

    private final String field;
    private final String reason;
    private final OptionalInt line;
    private final OptionalInt column;

    public ApiInputException(String field, String reason) {
        this(field, reason, OptionalInt.empty(), OptionalInt.empty());
    }

    public ApiInputException(String field, String reason, OptionalInt line, OptionalInt column) {
        super(field.isEmpty() ? reason : field + ": " + reason);
        this.field = Objects.requireNonNull(field, "field");
        this.reason = Objects.requireNonNull(reason, "reason");
        this.line = line;
        this.column = column;
    }

    /** The offending field as a path ({@code routes[2].target}); empty for the body as a whole. */
    public String field() {
        return field;
    }

    /** What is wrong with it. */
    public String reason() {
        return reason;
    }

    /** Line of a rule compilation error. */
    public OptionalInt line() {
        return line;
    }

    /** Column of a rule compilation error. */
    public OptionalInt column() {
        return column;
    }
}
