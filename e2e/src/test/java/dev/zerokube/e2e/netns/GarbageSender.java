package dev.zerokube.e2e.netns;

import dev.zerokube.overlay.codec.ByteWriter;
import dev.zerokube.overlay.identity.Identity;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.util.HexFormat;
import java.util.SplittableRandom;

/**
 * Bad input for a running node, run as its own process inside an attacker namespace:
 * {@code GarbageSender HOST PORT NODE_ADDRESS SECONDS PER_SECOND SEED} sends, paced at about
 * PER_SECOND datagrams per second for SECONDS, a seeded mix of: random bytes of any length up to
 * 1500; truncated datagrams shorter than a packet header (0..27 bytes); well-formed headers to the
 * node from unknown random sources with a random verb and payload; fragments with random numbers;
 * HELLOs carrying a random, invalid identity; and HELLOs from a few real identities with a wrong
 * MAC. Prints one line with what it sent by kind.
 */
public final class GarbageSender {
    private GarbageSender() {
    }

    public static void main(String[] args) throws Exception {
        InetSocketAddress to = new InetSocketAddress(args[0], Integer.parseInt(args[1]));
        byte[] node = HexFormat.of().parseHex(args[2]);
        long seconds = Long.parseLong(args[3]);
        int perSecond = Integer.parseInt(args[4]);
        SplittableRandom random = new SplittableRandom(Long.parseLong(args[5]));
        byte[][] realIdentities = new byte[3][];
        for (int i = 0; i < realIdentities.length; i++) {
            ByteWriter w = new ByteWriter(Identity.ENCODED_PUBLIC_LENGTH);
            Identity.generate(random.split()).encode(w, false);
            realIdentities[i] = w.toByteArray();
        }
        long[] sent = new long[6];
        byte[] buf = new byte[1500];
        try (DatagramChannel ch = DatagramChannel.open()) {
            long start = System.nanoTime();
            long end = start + seconds * 1_000_000_000L;
            long n = 0;
            while (System.nanoTime() < end) {
                int kind = random.nextInt(sent.length);
                int len = fill(kind, buf, node, realIdentities, random);
                ch.send(ByteBuffer.wrap(buf, 0, len), to);
                sent[kind]++;
                n++;
                long due = start + n * 1_000_000_000L / perSecond;
                long ahead = due - System.nanoTime();
                if (ahead > 1_000_000) {
                    Thread.sleep(ahead / 1_000_000);
                }
            }
        }
        System.out.printf("sent random=%d truncated=%d unknown-source=%d fragments=%d bogus-hello=%d bad-mac-hello=%d%n",
                sent[0], sent[1], sent[2], sent[3], sent[4], sent[5]);
    }

    private static int fill(int kind, byte[] buf, byte[] node, byte[][] identities, SplittableRandom random) {
        switch (kind) {
            case 0 -> { // anything
                int len = 1 + random.nextInt(buf.length);
                randomBytes(buf, 0, len, random);
                return len;
            }
            case 1 -> { // shorter than a header
                int len = random.nextInt(28);
                randomBytes(buf, 0, len, random);
                return len;
            }
            case 2 -> { // a header to the node from nobody it knows, any verb
                int len = 28 + random.nextInt(1200);
                randomBytes(buf, 0, len, random);
                System.arraycopy(node, 0, buf, 8, 5);
                buf[18] = (byte) (random.nextBoolean() ? 0x88 : 0x18); // cipher 1 or 3, hops 0
                return len;
            }
            case 3 -> { // fragment of nothing
                int len = 16 + random.nextInt(1400);
                randomBytes(buf, 0, len, random);
                System.arraycopy(node, 0, buf, 8, 5);
                buf[13] = (byte) 0xff;
                return len;
            }
            default -> { // HELLO: random identity (kind 4) or a real one with a wrong MAC (kind 5)
                byte[] identity;
                if (kind == 4) {
                    identity = new byte[Identity.ENCODED_PUBLIC_LENGTH];
                    randomBytes(identity, 0, identity.length, random);
                    identity[5] = 0; // type C25519
                    identity[identity.length - 1] = 0; // no private key
                } else {
                    identity = identities[random.nextInt(identities.length)];
                }
                int len = 28 + 13 + identity.length + random.nextInt(64);
                randomBytes(buf, 0, len, random);
                System.arraycopy(node, 0, buf, 8, 5);
                System.arraycopy(identity, 0, buf, 13, 5); // source = the identity's address
                buf[18] = 0; // cipher 0, hops 0
                buf[27] = 0x01; // HELLO
                buf[28] = 12; // protocol version
                buf[29] = 1;
                buf[30] = 14;
                buf[31] = 0;
                buf[32] = 1;
                System.arraycopy(identity, 0, buf, 41, identity.length);
                return len;
            }
        }
    }

    private static void randomBytes(byte[] b, int off, int len, SplittableRandom random) {
        for (int i = off; i < off + len; i++) {
            b[i] = (byte) random.nextInt();
        }
    }
}
