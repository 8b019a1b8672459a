package dev.zerokube.overlay.node;

/**
 * Why a received datagram was dropped. Bad input from the network is expected: the node counts
 * it per reason ({@link Node#dropCount}) and goes on, never throwing or logging (STYLE.md §4).
 */
public enum DropReason {
    /** Shorter than a fragment or a packet. */
    TOO_SHORT,
    /** Longer than a packet buffer (10024 bytes). */
    TOO_LONG,
    /** A 13-byte legacy LAN beacon (ignored, ZT1-02 §15 item 1). */
    BEACON,
    /** A packet claiming our own address as its source. */
    OWN_SOURCE,
    /** Not for us, and we may not relay it: not a root and the path is not trust-established. */
    RELAY_REFUSED,
    /** Not for us and already relayed {@code RELAY_MAX_HOPS} times. */
    RELAY_HOPS,
    /** Not for us and nowhere to send it. */
    RELAY_NO_ROUTE,
    /** A fragment or head the reassembler refused (bad numbers, duplicate, inconsistent, too large). */
    FRAGMENT_INVALID,
    /** MAC or SIV does not verify, or an undefined cipher suite. */
    BAD_MAC,
    /** Cipher 2 (trusted path) not from inside a configured trusted network with the packet's ID. */
    UNTRUSTED_PATH,
    /** The LZ4 payload does not decompress. */
    BAD_COMPRESSION,
    /** An authenticated payload that does not parse. */
    MALFORMED,
    /** A HELLO refused: protocol below 4, source and identity differ, identity fails validation, or rate-gated. */
    HELLO_REFUSED,
    /** The sender's identity did not arrive within 5 s, or its waiting slot was needed. */
    UNKNOWN_SOURCE,
    /** An OK answering no recent request of ours. */
    UNEXPECTED_OK,
    /** A request over its rate limit (ECHO per path, WHOIS per peer, PUSH_DIRECT_PATHS). */
    RATE_LIMITED,
    /** A verb only upstreams may send (RENDEZVOUS, OK(WHOIS), world updates) from someone else, or an identity we did not ask for. */
    UNTRUSTED_SENDER,
    /** An identity in OK(WHOIS) that fails validation. */
    BAD_IDENTITY,
    /** No room for a new peer (every entry is a root). */
    PEER_TABLE_FULL,
    /**
     * A network config chunk or config refused: another network, bad bounds or signature, overlap,
     * too many chunks, a legacy chunk not from the controller, a dictionary that does not parse, a
     * config not issued to us or older than ours.
     */
    CONFIG_REJECTED,
    /** A credential refused: bad signature or signer, older than the one held, or revoked. */
    CREDENTIAL_REJECTED
}
