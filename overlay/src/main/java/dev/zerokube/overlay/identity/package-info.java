/**
 * ZeroTier identities (ZT1-01): 40-bit addresses, the memory-hard address hash, generation
 * with proof of work, validation, and the text and binary forms.
 *
 * <p>Depends only on {@code crypto}. Sans-I/O: randomness is passed in, never taken from a global.
 */
package dev.zerokube.overlay.identity;
