package dev.zerokube.overlay.testing;

import dev.zerokube.overlay.crypto.C25519;
import dev.zerokube.overlay.identity.Identity;
import dev.zerokube.overlay.root.RootWorlds;
import dev.zerokube.overlay.wire.InetEndpoint;
import dev.zerokube.overlay.wire.World;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.BooleanSupplier;

/**
 * Helpers for tests on 127.0.0.1 (runtime, operator and e2e tests): a free port, a planet whose
 * one root listens there, waiting. {@link LoopbackRoot} runs that root and member nodes under it.
 */
public final class LoopbackRig {
    public static final long PLANET_ID = 0x7e57_0001L;

    private LoopbackRig() {}

    /** A UDP port free on 127.0.0.1 right now (the root's port must be in the planet before it binds). */
    public static int freeUdpPort() {
        try (DatagramSocket s = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static InetEndpoint loopback(int port) {
        return InetEndpoint.of(InetAddress.getLoopbackAddress(), port);
    }

    /** A first-revision planet with one root at 127.0.0.1/{@code port}. */
    public static World planet(Identity root, int port, long seed) {
        return RootWorlds.first(World.Type.PLANET, PLANET_ID, 1_000L,
                List.of(RootWorlds.root(root, List.of(loopback(port)))), C25519.generate(new SplittableRandom(seed)));
    }

    /** Waits up to {@code timeoutMs} for the condition; returns the milliseconds it took, or -1. */
    public static long await(long timeoutMs, BooleanSupplier condition) throws InterruptedException {
        long start = System.nanoTime();
        while (true) {
            if (condition.getAsBoolean()) {
                return (System.nanoTime() - start) / 1_000_000;
            }
            if ((System.nanoTime() - start) / 1_000_000 > timeoutMs) {
                return -1;
            }
            Thread.sleep(10);
        }
    }
}
