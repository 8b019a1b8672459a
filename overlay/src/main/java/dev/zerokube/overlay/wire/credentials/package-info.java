/**
 * The network credentials of ZT1-05: {@link dev.zerokube.overlay.wire.credentials.CertificateOfMembership},
 * {@link dev.zerokube.overlay.wire.credentials.Capability}, {@link dev.zerokube.overlay.wire.credentials.Tag},
 * {@link dev.zerokube.overlay.wire.credentials.CertificateOfOwnership} and
 * {@link dev.zerokube.overlay.wire.credentials.Revocation}.
 *
 * <p>Each is an immutable value with a total {@code decode(ByteReader)}, a byte-exact
 * {@code encode(ByteWriter)}, its {@code signInput()}, {@code sign(Identity)} (the controller
 * signs; an identity without its private key throws {@code IllegalStateException}) and {@code verify(SignerLookup)}, whose {@link dev.zerokube.overlay.wire.credentials.VerifyResult}
 * separates "invalid" from "signer not known yet" so the node can ask WHOIS and retry. What a
 * node does with credentials (the Membership store, gate, push) is not here. Depends on
 * {@code codec}, {@code crypto}, {@code identity}, {@code wire} and {@code wire.rules}. Sans-I/O.
 */
package dev.zerokube.overlay.wire.credentials;
