/**
 * The ZeroTier rule language (ZT1-06 §11): a compiler from rule programs to the rule tables,
 * capabilities and tags a controller issues; and {@link dev.zerokube.overlay.rules.RuleEvaluator},
 * which runs those tables on frames as a 1.14.1 node does (ZT1-06 §6–§7). The sections below are
 * about the compiler.
 *
 * <h2>Use</h2>
 *
 * <pre>{@code
 * CompiledRules c = RuleCompiler.compile(source);          // strict (the default)
 * List<RuleEntry> base = c.rules();                         // key R of a network config
 * c.capabilities();                                         // name, id, default, rule table
 * c.tags();                                                 // name, id, default, enums, flags
 * c.configJson();                                           // {"rules", "capabilities", "tags"}
 * c.toJson();                                               // + capabilitiesByName, tagsByName
 * }</pre>
 *
 * <p>Rule tables are {@link dev.zerokube.overlay.wire.rules.RuleEntry} values, made from the
 * compiler's JSON exactly as a 1.14.1 controller makes them
 * ({@link dev.zerokube.overlay.wire.rules.ControllerRuleJson}), so
 * {@link dev.zerokube.overlay.wire.rules.RuleCodec} encodes them to the bytes 1.14.1 issues. A
 * refused program raises {@link dev.zerokube.overlay.rules.RuleSyntaxException}: 1-based line and
 * column, the offending token, what was expected, and also the line and column 1.14.1 would
 * report (its column is 0-based on line 1 only, and a CR ending a comment counts as a line).
 *
 * <h2>The language</h2>
 *
 * <pre>
 * program   := { statement | "macro" NAME["(" $p,... ")"] {statement} ";"
 *                | "tag" NAME {"id" N | "default" V | "enum" N NAME | "flag" BITS NAME} ";"
 *                | "cap" NAME {"id" N | "default" | statement} ";" }
 * statement := ("drop" | "accept" | "break") {match} ";"
 *            | ("tee" | "watch") LENGTH ADDRESS {match} ";" | "redirect" ADDRESS {match} ";"
 *            | "include" NAME["(" arg,... ")"]
 * match     := ["not"] ["and" | "or"] KEYWORD ARG [ARG]
 * </pre>
 *
 * Tokens are separated by white space; {@code #} at the start of a token comments out the rest of
 * the line; statements end at a {@code ;} glued to their last word or standing alone after it
 * (ZT1-06 §11.1 explains why {@code accept ;} is not the same as {@code accept;}). Match keywords,
 * their arguments and the tag, macro and capability syntax are those of ZT1-06 §11.2–§11.5;
 * definitions may follow their use.
 *
 * <h2>Compatibility with ZeroTier 1.14.1</h2>
 *
 * In {@link dev.zerokube.overlay.rules.RuleCompiler.Mode#ZEROTIER_1_14_1} the compiler accepts what
 * 1.14.1's {@code rule-compiler.js} accepts and gives the same output; where 1.14.1 refuses, it
 * refuses at the same line and column with the same message. This is checked on every line of the
 * vectors' {@code rules.jsonl} and was checked against 1.14.1's compiler itself on some 200,000
 * generated and mutated programs. The quirks reproduced include: keyword case (block keywords must
 * be lower case to open a statement, match keywords may be any case, {@code DROP;} alone is a
 * drop), names lower-cased at definition but looked up as written, {@code icmp} reserved as an
 * argument, {@code $param} not replaced in addresses nor passed on by nested includes, the
 * lenient number reader ({@code 22abc} is 22, {@code 0x} is 0), tag defaults written as signed
 * 32-bit numbers and made positive with {@code abs}, {@code random} clamped, the characteristics
 * mask of a half with its top bit and another bit set written as its two's complement, and
 * JavaScript's inherited property names ({@code constructor}, {@code toString}...) opening blocks
 * and counting as reserved words.
 *
 * <p>It differs from 1.14.1 only by refusing, never by compiling differently: where 1.14.1 fails
 * with an internal exception (reported at 0/0, which {@code zeroTierLine/Column} reproduce) or
 * follows an inherited JavaScript property into nonsense (a macro argument naming one used as a
 * tag value or flag), and where its work is unbounded (an include nested more than 256 deep,
 * 65,536 expansions, 65,536 emitted entries). Letters allowed in names come from the JDK's
 * Unicode tables rather than 1.14.1's fixed older list.
 *
 * <h2>Strict mode</h2>
 *
 * {@link dev.zerokube.overlay.rules.RuleCompiler.Mode#STRICT} refuses, with
 * {@link dev.zerokube.overlay.rules.RuleSyntaxException#refusedQuirk()} set, every program that
 * 1.14.1 accepts but turns into something other than what it says, and otherwise behaves exactly
 * like the 1.14.1 mode (a program 1.14.1 refuses gets 1.14.1's refusal; of several quirks the
 * earliest in the source is reported). Refused:
 * <ul>
 *   <li>statements silently lost at the end of the input (a bare action followed by a separate
 *       {@code ;}, a block keyword used as an argument), blocks where no action is expected;
 *   <li>{@code not}/{@code or}/{@code and} that apply to no match, {@code not not} (which 1.14.1
 *       reads as one {@code not}), {@code and} with {@code or}, {@code or} before the first match
 *       of a statement (it makes the rule match every frame);
 *   <li>numbers that are not plain decimal or {@code 0x} hex ({@code 22abc}, {@code 0x},
 *       {@code +5}), except {@code -1} for a tee/watch length or an ICMP code; an ICMP code other
 *       than -1 that 1.14.1 reads as "any code"; a {@code random} probability that is not a
 *       decimal fraction from 0 to 1;
 *   <li>values the controller truncates: vlan and ethertype above 16 bits, vlanpcp, vlandei and
 *       ipprotocol above 8 bits, an IPv4 prefix above /32 or an IPv6 prefix above /128 or not a
 *       number (it becomes /0), an address the controller cannot read (it becomes all zero), a
 *       tee/watch/redirect target that is not 10 hex digits, a MAC or ZeroTier address with other
 *       characters than hex digits and {@code :} or {@code -} separators or with extra digits;
 *   <li>IPv6 matches with bits set after the prefix, which 1.14.1 nodes never match (ZT1-06
 *       §6.3.4);
 *   <li>a {@code chr} list that 1.14.1 miscompiles (bit 63 or 31 with another bit of its half);
 *   <li>tags: a flag on bit 31 (unusable in 1.14.1), a default that is not an enum name, a flag
 *       name or a number 0..2^32-1 (1.14.1 uses 0 or the absolute value), an enum and a flag of
 *       the same name, two tags with the same id (the controller keeps one);
 *   <li>macros: parameter lists that are not {@code ($a,$b)} with distinct {@code $}-names, argument
 *       lists that are not {@code (x,y)} or whose count differs from the parameters' (1.14.1
 *       ignores extras);
 *   <li>a base table above 1,024 entries or a capability above 64, which the controller cuts short.
 * </ul>
 *
 * <p>Depends on {@code wire} and {@code wire.rules}. Sans-I/O; the compiler keeps no state between
 * calls.
 */
package dev.zerokube.overlay.rules;
