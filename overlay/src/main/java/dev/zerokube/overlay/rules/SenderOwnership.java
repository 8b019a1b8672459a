package dev.zerokube.overlay.rules;

/**
 * Answers the two "sender authenticated" characteristics bits (ZT1-06 §6.3.10): does the sender of
 * a frame own the IP address and MAC it claims? Outbound, "the sender" is this node and the answer
 * comes from our own certificates of ownership; inbound, from the time-valid certificates the
 * sending member presented, plus (IPv6, NDP-emulated networks) membership of the address in the
 * network's 6PLANE /40 or RFC4193 /88 prefix. The evaluator asks only when a CHARACTERISTICS match
 * needs the answer; implementations on the per-frame path should not allocate.
 */
public interface SenderOwnership {
    /** Nothing is owned: both bits stay clear. */
    SenderOwnership NONE = new SenderOwnership() {
        @Override
        public boolean ownsIp(byte[] buf, int offset, int length) {
            return false;
        }

        @Override
        public boolean ownsMac(long mac) {
            return false;
        }
    };

    /** Whether the sender owns the IP address at {@code buf[offset, offset+length)} (4 or 16 bytes). */
    boolean ownsIp(byte[] buf, int offset, int length);

    /** Whether the sender owns this MAC (48 bits in a long). */
    boolean ownsMac(long mac);
}
