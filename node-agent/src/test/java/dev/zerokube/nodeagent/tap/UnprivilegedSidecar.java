package dev.zerokube.nodeagent.tap;

import dev.zerokube.overlay.runtime.port.FdPassing;
import dev.zerokube.overlay.runtime.port.TapPort;
import dev.zerokube.overlay.runtime.port.UserspaceHost;
import java.io.IOException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Test program, run as a separate JVM under an unprivileged UID with no capabilities: does what
 * the sidecar does with {@code --tap-socket} (receive the pod's TAPs until the agent closes), then
 * uses the TAP with no privilege at all: asks the pod's kernel by ARP who has the TAP's address
 * and waits for the answer. Prints one line per TAP, {@code tap NAME NWID arp-reply-from IP}, and
 * exits 0; anything else exits 1 with the reason.
 *
 * <p>Arguments: the hand-off socket, the IPv4 address on the TAP (e.g. 198.18.40.21).
 */
public final class UnprivilegedSidecar {
    private UnprivilegedSidecar() {
    }

    public static void main(String[] args) throws Exception {
        int s = FdPassing.connect(java.nio.file.Path.of(args[0]));
        byte[] target = java.net.InetAddress.getByName(args[1]).getAddress();
        int taps = 0;
        try {
            while (true) {
                FdPassing.Received r;
                try {
                    r = FdPassing.receive(s);
                } catch (IOException closed) {
                    break;
                }
                taps++;
                try (TapPort tap = TapPort.adopt(r.fd())) {
                    String from = arp(tap, target);
                    System.out.println("tap " + tap.name() + " " + r.text() + " arp-reply-from " + from);
                }
            }
        } finally {
            FdPassing.close(s);
        }
        if (taps == 0) {
            System.out.println("no TAP received");
            System.exit(1);
        }
    }

    // One ARP request into the TAP as if from a peer on the overlay; the pod's kernel answers.
    private static String arp(TapPort tap, byte[] target) throws InterruptedException {
        long mac = 0x02_5a_00_00_00_77L;
        byte[] sender = target.clone();
        sender[3] = (byte) 99;
        CountDownLatch answered = new CountDownLatch(1);
        String[] from = {null};
        tap.start((f, off, len) -> {
            // An ARP reply (ethertype 0x0806, opcode 2) addressed to our MAC.
            if (len >= 42 && (f[off + 12] & 0xff) == 0x08 && (f[off + 13] & 0xff) == 0x06 && f[off + 21] == 2) {
                from[0] = (f[off + 28] & 0xff) + "." + (f[off + 29] & 0xff) + "." + (f[off + 30] & 0xff) + "." + (f[off + 31] & 0xff);
                answered.countDown();
            }
        });
        byte[] req = UserspaceHost.ethernet(0xffff_ffff_ffffL, mac, 0x0806, UserspaceHost.arp(1, mac, sender, 0, target));
        for (int i = 0; i < 20 && answered.getCount() > 0; i++) {
            tap.write(req, 0, req.length);
            tap.flush();
            answered.await(250, TimeUnit.MILLISECONDS);
        }
        if (from[0] == null) {
            System.out.println("no ARP reply from " + java.util.Arrays.toString(target));
            System.exit(1);
        }
        return from[0];
    }
}
