package dev.zerokube.overlay.rules;

import java.util.Objects;

/**
 * Compiles ZeroTier rule programs (ZT1-06 §11) into rule tables, capabilities and tags, as
 * ZeroTier 1.14.1's rule compiler ({@code rule-compiler.js}) and controller do.
 *
 * <p>Both modes accept exactly the programs 1.14.1 accepts and give the same output, except that
 * {@link Mode#STRICT} also refuses the programs whose 1.14.1 output differs from what the text
 * says (statements silently lost or misread, values the controller truncates; the package
 * documentation lists them). A program 1.14.1 refuses is refused with 1.14.1's message and
 * position in both modes. Thread-safe and stateless.
 */
public final class RuleCompiler {
    /** How to treat programs that 1.14.1 compiles into something other than what they say. */
    public enum Mode {
        /** Refuse them, naming the problem and what 1.14.1 would have made of it. The default. */
        STRICT,
        /** Compile them exactly as 1.14.1 does, e.g. to import rules already in use on a 1.14.1 controller. */
        ZEROTIER_1_14_1
    }

    private RuleCompiler() {}

    /** Compiles in {@link Mode#STRICT}. */
    public static CompiledRules compile(String source) throws RuleSyntaxException {
        return compile(source, Mode.STRICT);
    }

    /**
     * Compiles {@code source}.
     *
     * @throws RuleSyntaxException if the program is refused, with the position and the reason
     */
    public static CompiledRules compile(String source, Mode mode) throws RuleSyntaxException {
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(mode, "mode");
        return new Compilation(source, mode == Mode.STRICT).run();
    }
}
