/**
 * The root/relay role and world (planet, moon) signing (ZT1-07).
 *
 * <p>Sans-I/O.
 */
package dev.zerokube.overlay.root;
