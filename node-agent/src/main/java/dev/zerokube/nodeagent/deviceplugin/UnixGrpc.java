package dev.zerokube.nodeagent.deviceplugin;

import io.grpc.BindableService;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.ServerServiceDefinition;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.netty.shaded.io.netty.channel.EventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollDomainSocketChannel;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollServerDomainSocketChannel;
import io.grpc.netty.shaded.io.netty.channel.unix.DomainSocketAddress;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * gRPC servers and channels on Unix domain sockets, as the kubelet's plugin APIs use them, on the
 * Netty that grpc-netty-shaded carries (epoll; our own Netty 4.2 stays out of it). One event loop
 * thread serves everything made from one instance: the traffic is a handful of calls per pod.
 */
public final class UnixGrpc implements AutoCloseable {
    private final EventLoopGroup group = new EpollEventLoopGroup(1);

    /** Serves {@code service} on a socket at {@code path}, replacing a stale socket file there. */
    public Server serve(Path path, ServerServiceDefinition service) throws IOException {
        Files.deleteIfExists(path);
        return NettyServerBuilder.forAddress(new DomainSocketAddress(path.toString()))
                .channelType(EpollServerDomainSocketChannel.class)
                .bossEventLoopGroup(group)
                .workerEventLoopGroup(group)
                .addService(service)
                .build()
                .start();
    }

    /** As {@link #serve(Path, ServerServiceDefinition)} for a bindable service. */
    public Server serve(Path path, BindableService service) throws IOException {
        return serve(path, service.bindService());
    }

    /** A plaintext channel to the socket at {@code path} (connected lazily, on the first call). */
    public ManagedChannel channel(Path path) {
        return NettyChannelBuilder.forAddress(new DomainSocketAddress(path.toString()))
                .channelType(EpollDomainSocketChannel.class)
                .eventLoopGroup(group)
                .usePlaintext()
                .build();
    }

    /** Shuts a channel down and waits briefly for it. */
    public static void shutdown(ManagedChannel channel) {
        channel.shutdownNow();
        try {
            channel.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Stops a server and waits briefly for it. */
    public static void shutdown(Server server) {
        server.shutdownNow();
        try {
            server.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }
}
