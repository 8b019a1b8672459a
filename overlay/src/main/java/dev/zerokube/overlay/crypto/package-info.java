/**
 * Cryptographic primitives exactly as ZeroTier 1.x uses them (ZT1-01): Salsa20/12, Poly1305,
 * AES-GMAC-SIV, C25519 (X25519 agreement + Ed25519 in ZeroTier's 96-byte signature form),
 * SHA-512/384, HMAC-SHA-384 and the KBKDF.
 *
 * <p>Depends on nothing else in zerokube. Sans-I/O: no files, sockets, threads or clocks. Hot
 * primitives (the cipher and MAC used per packet) allocate nothing per call, with one measured
 * exception: {@link dev.zerokube.overlay.crypto.Gmac} (inside AES-GMAC-SIV) goes through the JDK's
 * AES-GCM, which allocates per call, because GHASH in plain Java is several times slower.
 */
package dev.zerokube.overlay.crypto;
