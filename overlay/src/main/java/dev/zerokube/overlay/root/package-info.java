/**
 * The root role (ZT1-07 §3–§5): building and revising the signed worlds (planets, moons) that
 * make nodes roots. A root runs the ordinary {@link dev.zerokube.overlay.node.Node}; what a root
 * does differently (relay for anyone, answer WHOIS without a rate limit, introduce the peers it
 * relays for) follows, as in ZeroTier 1.14.1, from its own identity being listed in a world it
 * holds.
 *
 * <p>May depend on everything up to {@code node}. Sans-I/O.
 */
package dev.zerokube.overlay.root;
