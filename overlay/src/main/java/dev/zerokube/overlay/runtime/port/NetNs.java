package dev.zerokube.overlay.runtime.port;

import dev.zerokube.overlay.runtime.sys.Libc;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.Objects;
import java.util.concurrent.Callable;

/**
 * Runs work inside another network namespace (e.g. {@code /var/run/netns/NAME} or
 * {@code /proc/PID/ns/net}): for the node agent, which creates a pod's TAP in the pod's namespace,
 * and for tests.
 *
 * <p>{@code setns(2)} changes only the calling OS thread, so the work runs on a fresh platform
 * thread that enters the namespace and then ends; no thread of the caller ever changes namespace.
 * What the work opens there (a TAP, the {@link TapPort}'s rtnetlink socket) stays bound to that
 * namespace after the thread is gone. Needs CAP_SYS_ADMIN.
 */
public final class NetNs {
    private NetNs() {
    }

    /**
     * Calls {@code work} on a new thread inside the network namespace {@code namespaceFile} and
     * returns its result; an exception it throws is rethrown here (checked ones wrapped in an
     * {@link IOException} unless they are one).
     */
    public static <T> T call(Path namespaceFile, Callable<T> work) throws IOException {
        Objects.requireNonNull(work, "work");
        int nsFd;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment st = Libc.newCallState(arena);
            nsFd = Libc.open(st, arena.allocateFrom(namespaceFile.toString()), Libc.O_CLOEXEC);
            if (nsFd < 0) {
                throw Libc.error("open network namespace " + namespaceFile, st);
            }
        }
        Object[] result = new Object[1];
        Throwable[] failure = new Throwable[1];
        Thread t = Thread.ofPlatform().name("zk-netns").start(() -> {
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment st = Libc.newCallState(arena);
                if (Libc.setns(st, nsFd, Libc.CLONE_NEWNET) != 0) {
                    throw Libc.error("setns " + namespaceFile, st);
                }
                result[0] = work.call();
            } catch (Throwable e) {
                failure[0] = e;
            }
        });
        try {
            t.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while working in network namespace " + namespaceFile, e);
        } finally {
            Libc.closeQuietly(nsFd);
        }
        Throwable f = failure[0];
        if (f instanceof IOException io) {
            throw io;
        }
        if (f instanceof RuntimeException re) {
            throw re;
        }
        if (f instanceof Error err) {
            throw err;
        }
        if (f != null) {
            throw new IOException("in network namespace " + namespaceFile + ": " + f, f);
        }
        @SuppressWarnings("unchecked")
        T r = (T) result[0];
        return r;
    }
}
