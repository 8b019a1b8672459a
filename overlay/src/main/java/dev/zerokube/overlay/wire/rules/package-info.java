/**
 * Binary rule table entries (ZT1-06 §2–§4) and their controller JSON form (ZT1-06 §5).
 *
 * <p>{@link dev.zerokube.overlay.wire.rules.RuleEntry} is one entry of a rule table as it travels
 * in a network config (key {@code R}) or inside a
 * {@link dev.zerokube.overlay.wire.credentials.Capability}; {@link
 * dev.zerokube.overlay.wire.rules.RuleCodec} reads and writes them byte-exact and
 * {@link dev.zerokube.overlay.wire.rules.ControllerRuleJson} converts them to and from the JSON
 * objects a 1.14.1 controller stores. The rule language compiler and the evaluator live in
 * {@code dev.zerokube.overlay.rules}. Depends on {@code codec}, {@code identity} (Address) and {@code wire} (Mac,
 * InetEndpoint). Sans-I/O.
 */
package dev.zerokube.overlay.wire.rules;
