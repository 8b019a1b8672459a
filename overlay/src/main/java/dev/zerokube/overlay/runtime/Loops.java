package dev.zerokube.overlay.runtime;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.util.concurrent.TimeUnit;

/**
 * The event loop threads that {@link NodeService}s run on: Netty's epoll transport where the
 * native library loads (Linux x86-64), else NIO. One node uses one thread; many nodes in one JVM
 * (tests, the lab) share a few. Set the system property {@code zerokube.transport=nio} to force
 * NIO.
 */
public final class Loops implements AutoCloseable {
    final EventLoopGroup group;
    final boolean epoll;

    private Loops(EventLoopGroup group, boolean epoll) {
        this.group = group;
        this.epoll = epoll;
    }

    /** {@code threads} event loop threads on the best transport available. */
    public static Loops create(int threads) {
        boolean epoll = !"nio".equals(System.getProperty("zerokube.transport")) && Epoll.isAvailable();
        return create(threads, epoll);
    }

    /** {@code threads} event loop threads on epoll (which must be available) or NIO. */
    public static Loops create(int threads, boolean epoll) {
        if (epoll && !Epoll.isAvailable()) {
            throw new IllegalStateException("epoll unavailable: " + Epoll.unavailabilityCause());
        }
        var factory = epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
        return new Loops(new MultiThreadIoEventLoopGroup(threads, new DefaultThreadFactory("zerokube-node", true),
                factory), epoll);
    }

    /** Whether the epoll transport loads here. */
    public static boolean epollAvailable() {
        return Epoll.isAvailable();
    }

    public boolean isEpoll() {
        return epoll;
    }

    /** Stops the threads (at once: nodes on them must be closed first). */
    @Override
    public void close() {
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(5_000);
    }
}
