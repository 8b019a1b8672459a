package dev.zerokube.overlay.rules;

/**
 * A rule program the compiler refuses, with where and why.
 *
 * <p>{@link #line()} and {@link #column()} are 1-based (lines end at LF, columns count UTF-16
 * units). {@link #zeroTierLine()} and {@link #zeroTierColumn()} are the position ZeroTier
 * 1.14.1's compiler reports for the same error, in its own convention (README-capture-rules.md
 * §1.4.1: the column is 0-based on line 1 and 1-based after, and a CR that ends a comment counts
 * as a line; 0/0 where 1.14.1 failed with an internal exception). {@link #reason()} is 1.14.1's
 * message when 1.14.1 refuses the program too, otherwise ours; {@link #refusedQuirk()} tells the
 * two apart.
 */
public final class RuleSyntaxException extends Exception {
    private static final long serialVersionUID = 1L;

    private final int line;
    private final int column;
    private final int zeroTierLine;
    private final int zeroTierColumn;
    private final String reason;
    private final String expected;
    private final String found;
    private final boolean refusedQuirk;

    RuleSyntaxException(int line, int column, int zeroTierLine, int zeroTierColumn, String reason, String expected,
            String found, boolean refusedQuirk, String hint) {
        super(format(line, column, reason, expected, found, hint));
        this.line = line;
        this.column = column;
        this.zeroTierLine = zeroTierLine;
        this.zeroTierColumn = zeroTierColumn;
        this.reason = reason;
        this.expected = expected;
        this.found = found;
        this.refusedQuirk = refusedQuirk;
    }

    private static String format(int line, int column, String reason, String expected, String found, String hint) {
        StringBuilder b = new StringBuilder();
        b.append("line ").append(line).append(", column ").append(column).append(": ").append(reason);
        if (found != null) {
            b.append(" Found '").append(found).append("'");
            b.append(expected != null ? "; expected " + expected + "." : ".");
        } else if (expected != null) {
            b.append(" Expected ").append(expected).append('.');
        }
        if (hint != null) {
            b.append(" Note: ").append(hint);
        }
        return b.toString();
    }

    /** 1-based line of the offending token. */
    public int line() {
        return line;
    }

    /** 1-based column of the offending token on its line. */
    public int column() {
        return column;
    }

    /** The line ZeroTier 1.14.1's compiler reports (its convention; 0 where it crashed). */
    public int zeroTierLine() {
        return zeroTierLine;
    }

    /** The column ZeroTier 1.14.1's compiler reports (its convention; 0 where it crashed). */
    public int zeroTierColumn() {
        return zeroTierColumn;
    }

    /** What is wrong: 1.14.1's message if it refuses the program too, else ours. */
    public String reason() {
        return reason;
    }

    /** What would have been accepted at that place, or {@code null} when nothing specific. */
    public String expected() {
        return expected;
    }

    /** The offending token's text, or {@code null} when the problem is a missing token. */
    public String found() {
        return found;
    }

    /**
     * Whether 1.14.1's compiler accepts the program and the refusal is ours: strict mode refuses
     * programs whose 1.14.1 result would differ from what the text says (see the package docs).
     */
    public boolean refusedQuirk() {
        return refusedQuirk;
    }
}
