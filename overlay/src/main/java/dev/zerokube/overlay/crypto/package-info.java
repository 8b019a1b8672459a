/**
 * Cryptographic primitives exactly as ZeroTier 1.x uses them (ZT1-01): Salsa20/12, Poly1305,
 * AES-GMAC-SIV, C25519 (X25519 agreement + Ed25519 in ZeroTier's 96-byte signature form),
 * SHA-512/384, HMAC-SHA-384 and the KBKDF.
 *
 * <p>Depends on nothing else in zerokube. Sans-I/O: no files, sockets, threads or clocks. Hot
 * primitives (the cipher and MAC used per packet) allocate nothing per call. The one that needs
 * the JDK's internals to manage that is {@link dev.zerokube.overlay.crypto.Gmac} (inside
 * AES-GMAC-SIV): it runs on the JDK's own GHASH where {@code java.base/com.sun.crypto.provider} is
 * opened (zerokube's jars do it), and otherwise through the public AES-GCM API, which allocates
 * per call; GHASH in plain Java is several times slower than either.
 */
package dev.zerokube.overlay.crypto;
