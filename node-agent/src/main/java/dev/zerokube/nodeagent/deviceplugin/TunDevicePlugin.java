package dev.zerokube.nodeagent.deviceplugin;

import dev.zerokube.nodeagent.deviceplugin.v1beta1.AllocateRequest;
import dev.zerokube.nodeagent.deviceplugin.v1beta1.AllocateResponse;
import dev.zerokube.nodeagent.deviceplugin.v1beta1.ContainerAllocateRequest;
import dev.zerokube.nodeagent.deviceplugin.v1beta1.ContainerAllocateResponse;
import dev.zerokube.nodeagent.deviceplugin.v1beta1.ContainerPreferredAllocationRequest;
import dev.zerokube.nodeagent.deviceplugin.v1beta1.ContainerPreferredAllocationResponse;
import dev.zerokube.nodeagent.deviceplugin.v1beta1.Device;
import dev.zerokube.nodeagent.deviceplugin.v1beta1.DevicePluginOptions;
import dev.zerokube.nodeagent.deviceplugin.v1beta1.DeviceSpec;
import dev.zerokube.nodeagent.deviceplugin.v1beta1.Empty;
import dev.zerokube.nodeagent.deviceplugin.v1beta1.ListAndWatchResponse;
import dev.zerokube.nodeagent.deviceplugin.v1beta1.Mount;
import dev.zerokube.nodeagent.deviceplugin.v1beta1.PreStartContainerResponse;
import dev.zerokube.nodeagent.deviceplugin.v1beta1.PreferredAllocationResponse;
import dev.zerokube.nodeagent.deviceplugin.v1beta1.RegisterRequest;
import dev.zerokube.operator.api.WellKnownNames;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.ServerCalls;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArraySet;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The device plugin that advertises {@link WellKnownNames#TUN_RESOURCE} to the kubelet (device
 * plugin API v1beta1): {@code deviceCount} interchangeable devices, all backed by the host's
 * {@code /dev/net/tun}. A container that requests one gets, from {@code Allocate}: the device node
 * {@code /dev/net/tun} (rw; the runtime adds it to the container's device cgroup, so a pod under
 * Pod Security "restricted" can open it without hostPath or privileges), the agent's hand-off
 * directory mounted read-only (connecting to a Unix socket needs no write access to the mount),
 * and {@link WellKnownNames#TAP_SOCKET_ENV} naming the socket in it.
 *
 * <p>Lifecycle: serve {@code DevicePlugin} on {@code <pluginDir>/<socketName>}, then call the
 * kubelet's {@code Registration.Register} on {@code <pluginDir>/kubelet.sock}. A kubelet that
 * restarts deletes every socket in the directory and makes a new {@code kubelet.sock}; a
 * watcher thread checks every {@code checkIntervalMs} whether our socket is gone or
 * {@code kubelet.sock} is a different file, and then serves again and re-registers (a failed
 * registration is retried at the next check). Device health follows the presence of
 * {@code /dev/net/tun}; a change is streamed to every open {@code ListAndWatch}.
 */
public final class TunDevicePlugin implements AutoCloseable {
    /** The kubelet's registration socket in the plugin directory. */
    public static final String KUBELET_SOCKET = "kubelet.sock";
    public static final String HEALTHY = "Healthy";
    public static final String UNHEALTHY = "Unhealthy";
    /** Name of the hand-off socket in the hand-off directory. */
    public static final String HANDOFF_SOCKET = "tap.sock";
    private static final Logger LOG = LoggerFactory.getLogger(TunDevicePlugin.class);
    private static final long REGISTER_TIMEOUT_MS = 10_000;

    /**
     * What the plugin advertises and hands out.
     *
     * @param pluginDir the kubelet's device plugin directory ({@code /var/lib/kubelet/device-plugins})
     * @param socketName this plugin's socket file in {@code pluginDir}
     * @param deviceCount how many containers on the node may hold the resource at once
     * @param tunDevice the TUN/TAP clone device, on the host and in the container
     * @param handoffHostDir the directory of the agent's hand-off socket on the host, or null for none
     * @param handoffContainerDir where that directory appears in the container
     * @param checkIntervalMs how often the watcher looks for a restarted kubelet
     */
    public record Settings(Path pluginDir, String socketName, int deviceCount, Path tunDevice, Path handoffHostDir,
            Path handoffContainerDir, long checkIntervalMs) {
        public Settings {
            Objects.requireNonNull(pluginDir, "pluginDir");
            Objects.requireNonNull(socketName, "socketName");
            Objects.requireNonNull(tunDevice, "tunDevice");
            if (deviceCount < 1) {
                throw new IllegalArgumentException("deviceCount must be at least 1: " + deviceCount);
            }
            if (checkIntervalMs < 1) {
                throw new IllegalArgumentException("checkIntervalMs must be positive: " + checkIntervalMs);
            }
            if (socketName.contains("/")) {
                throw new IllegalArgumentException("socketName is a file name in the plugin directory: " + socketName);
            }
        }

        /** The defaults of a node: the kubelet's directory, 110 devices (the kubelet's default pod limit). */
        public static Settings defaults() {
            return new Settings(Path.of("/var/lib/kubelet/device-plugins"), "zerokube-tun.sock", 110,
                    Path.of("/dev/net/tun"), Path.of("/var/run/zerokube/node-agent"), Path.of("/var/run/zerokube/node-agent"),
                    1000);
        }

        public Settings withPluginDir(Path dir) {
            return new Settings(dir, socketName, deviceCount, tunDevice, handoffHostDir, handoffContainerDir, checkIntervalMs);
        }

        public Settings withDeviceCount(int count) {
            return new Settings(pluginDir, socketName, count, tunDevice, handoffHostDir, handoffContainerDir, checkIntervalMs);
        }

        public Settings withHandoff(Path hostDir, Path containerDir) {
            return new Settings(pluginDir, socketName, deviceCount, tunDevice, hostDir, containerDir, checkIntervalMs);
        }

        public Settings withCheckIntervalMs(long ms) {
            return new Settings(pluginDir, socketName, deviceCount, tunDevice, handoffHostDir, handoffContainerDir, ms);
        }

        Path socket() {
            return pluginDir.resolve(socketName);
        }
    }

    private final Settings settings;
    private final UnixGrpc grpc = new UnixGrpc();
    private final Set<StreamObserver<ListAndWatchResponse>> watchers = new CopyOnWriteArraySet<>();
    private final AtomicInteger registrations = new AtomicInteger();
    private final Object lock = new Object();
    private Server server;
    private Object registeredKubelet;
    private volatile boolean healthy;
    private volatile boolean closed;
    private Thread watcher;

    private TunDevicePlugin(Settings settings) {
        this.settings = settings;
    }

    /** Serves, registers (or waits for a kubelet to register with) and watches until closed. */
    public static TunDevicePlugin start(Settings settings) throws IOException {
        TunDevicePlugin p = new TunDevicePlugin(settings);
        p.healthy = Files.exists(settings.tunDevice());
        synchronized (p.lock) {
            p.serve();
            p.tryRegister();
        }
        p.watcher = Thread.ofPlatform().daemon().name("zk-deviceplugin-watch").start(p::watch);
        return p;
    }

    /** How many times the kubelet accepted our registration (tests, metrics). */
    public int registrations() {
        return registrations.get();
    }

    /** The device IDs advertised: {@code tun-0 .. tun-(deviceCount-1)}. */
    public List<String> deviceIds() {
        List<String> ids = new ArrayList<>(settings.deviceCount());
        for (int i = 0; i < settings.deviceCount(); i++) {
            ids.add("tun-" + i);
        }
        return ids;
    }

    /** What {@code Allocate} answers for one container (any devices: they are all the same). */
    public ContainerAllocateResponse containerResponse() {
        String tun = settings.tunDevice().toString();
        ContainerAllocateResponse.Builder b = ContainerAllocateResponse.newBuilder()
                .addDevices(DeviceSpec.newBuilder().setHostPath(tun).setContainerPath(tun).setPermissions("rw"));
        if (settings.handoffHostDir() != null) {
            Path inContainer = settings.handoffContainerDir() == null ? settings.handoffHostDir() : settings.handoffContainerDir();
            b.addMounts(Mount.newBuilder().setHostPath(settings.handoffHostDir().toString())
                    .setContainerPath(inContainer.toString()).setReadOnly(true));
            b.putEnvs(WellKnownNames.TAP_SOCKET_ENV, inContainer.resolve(HANDOFF_SOCKET).toString());
        }
        return b.build();
    }

    private ListAndWatchResponse deviceList() {
        ListAndWatchResponse.Builder b = ListAndWatchResponse.newBuilder();
        String health = healthy ? HEALTHY : UNHEALTHY;
        for (String id : deviceIds()) {
            b.addDevices(Device.newBuilder().setID(id).setHealth(health));
        }
        return b.build();
    }

    private ServerServiceDefinition service() {
        return ServerServiceDefinition.builder(DevicePluginGrpc.DEVICE_PLUGIN)
                .addMethod(DevicePluginGrpc.GET_DEVICE_PLUGIN_OPTIONS, ServerCalls.asyncUnaryCall((req, out) -> {
                    out.onNext(DevicePluginOptions.getDefaultInstance());
                    out.onCompleted();
                }))
                .addMethod(DevicePluginGrpc.LIST_AND_WATCH, ServerCalls.asyncServerStreamingCall((req, out) -> {
                    // The stream stays open: the kubelet treats its end as the plugin going away.
                    watchers.add(out);
                    synchronized (out) {
                        out.onNext(deviceList());
                    }
                    if (out instanceof io.grpc.stub.ServerCallStreamObserver<ListAndWatchResponse> s) {
                        s.setOnCancelHandler(() -> watchers.remove(out));
                    }
                }))
                .addMethod(DevicePluginGrpc.GET_PREFERRED_ALLOCATION, ServerCalls.asyncUnaryCall((req, out) -> {
                    // Not announced in the options (all devices are equal); answer anyway, in order.
                    PreferredAllocationResponse.Builder b = PreferredAllocationResponse.newBuilder();
                    for (ContainerPreferredAllocationRequest c : req.getContainerRequestsList()) {
                        List<String> pick = new ArrayList<>(c.getMustIncludeDeviceIDsList());
                        for (String id : c.getAvailableDeviceIDsList()) {
                            if (pick.size() >= c.getAllocationSize()) {
                                break;
                            }
                            if (!pick.contains(id)) {
                                pick.add(id);
                            }
                        }
                        b.addContainerResponses(ContainerPreferredAllocationResponse.newBuilder().addAllDeviceIDs(pick));
                    }
                    out.onNext(b.build());
                    out.onCompleted();
                }))
                .addMethod(DevicePluginGrpc.ALLOCATE, ServerCalls.asyncUnaryCall((req, out) -> allocate(req, out)))
                .addMethod(DevicePluginGrpc.PRE_START_CONTAINER, ServerCalls.asyncUnaryCall((req, out) -> {
                    out.onNext(PreStartContainerResponse.getDefaultInstance());
                    out.onCompleted();
                }))
                .build();
    }

    private void allocate(AllocateRequest req, StreamObserver<AllocateResponse> out) {
        List<String> known = deviceIds();
        AllocateResponse.Builder b = AllocateResponse.newBuilder();
        for (ContainerAllocateRequest c : req.getContainerRequestsList()) {
            for (String id : c.getDevicesIdsList()) {
                if (!known.contains(id)) {
                    out.onError(Status.INVALID_ARGUMENT.withDescription("unknown device " + id + " of "
                            + WellKnownNames.TUN_RESOURCE).asRuntimeException());
                    return;
                }
            }
            b.addContainerResponses(containerResponse());
        }
        out.onNext(b.build());
        out.onCompleted();
    }

    // Under lock.
    private void serve() throws IOException {
        if (server != null) {
            UnixGrpc.shutdown(server);
            watchers.clear();
        }
        Files.createDirectories(settings.pluginDir());
        server = grpc.serve(settings.socket(), service());
        LOG.info("device plugin for {} serving on {}", WellKnownNames.TUN_RESOURCE, settings.socket());
    }

    // Under lock. Registers if a kubelet socket is there; remembers which one accepted us.
    private void tryRegister() {
        Path kubelet = settings.pluginDir().resolve(KUBELET_SOCKET);
        Object key = fileIdentity(kubelet);
        if (key == null) {
            registeredKubelet = null;
            return;
        }
        ManagedChannel channel = grpc.channel(kubelet);
        try {
            ClientCalls.blockingUnaryCall(channel, DevicePluginGrpc.REGISTER,
                    io.grpc.CallOptions.DEFAULT.withDeadlineAfter(REGISTER_TIMEOUT_MS, TimeUnit.MILLISECONDS),
                    RegisterRequest.newBuilder()
                            .setVersion(DevicePluginGrpc.VERSION)
                            .setEndpoint(settings.socketName())
                            .setResourceName(WellKnownNames.TUN_RESOURCE)
                            .setOptions(DevicePluginOptions.getDefaultInstance())
                            .build());
            registeredKubelet = key;
            registrations.incrementAndGet();
            LOG.info("registered {} with the kubelet at {}", WellKnownNames.TUN_RESOURCE, kubelet);
        } catch (StatusRuntimeException e) {
            registeredKubelet = null;
            LOG.warn("the kubelet at {} refused or did not answer the registration of {}: {} (retrying)", kubelet,
                    WellKnownNames.TUN_RESOURCE, e.getStatus());
        } finally {
            UnixGrpc.shutdown(channel);
        }
    }

    // A file's identity: inode and modification time (an inode number alone may be reused at once).
    private static Object fileIdentity(Path p) {
        try {
            BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            return List.of(String.valueOf(a.fileKey()), a.lastModifiedTime(), a.creationTime());
        } catch (IOException e) {
            return null;
        }
    }

    private void watch() {
        while (!closed) {
            try {
                Thread.sleep(settings.checkIntervalMs());
            } catch (InterruptedException e) {
                return;
            }
            try {
                check();
            } catch (IOException | RuntimeException e) {
                LOG.warn("device plugin check failed: {} (retrying)", e.toString());
            }
        }
    }

    /** One watcher pass: re-serve and re-register after a kubelet restart, stream health changes. */
    void check() throws IOException {
        synchronized (lock) {
            if (closed) {
                return;
            }
            boolean ours = Files.exists(settings.socket(), LinkOption.NOFOLLOW_LINKS);
            Object kubelet = fileIdentity(settings.pluginDir().resolve(KUBELET_SOCKET));
            if (!ours) {
                LOG.info("our socket {} is gone (kubelet restarted?): serving again", settings.socket());
                serve();
                tryRegister();
            } else if (kubelet != null && !kubelet.equals(registeredKubelet)) {
                tryRegister();
            }
        }
        boolean now = Files.exists(settings.tunDevice());
        if (now != healthy) {
            healthy = now;
            LOG.warn("{} is {}: devices now {}", settings.tunDevice(), now ? "back" : "missing", now ? HEALTHY : UNHEALTHY);
            ListAndWatchResponse list = deviceList();
            for (StreamObserver<ListAndWatchResponse> w : watchers) {
                try {
                    synchronized (w) {
                        w.onNext(list);
                    }
                } catch (RuntimeException e) {
                    watchers.remove(w);
                }
            }
        }
    }

    @Override
    public void close() {
        synchronized (lock) {
            if (closed) {
                return;
            }
            closed = true;
        }
        if (watcher != null) {
            watcher.interrupt();
            try {
                watcher.join(5000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        synchronized (lock) {
            for (StreamObserver<ListAndWatchResponse> w : watchers) {
                try {
                    w.onCompleted();
                } catch (RuntimeException e) {
                    // the kubelet hung up already
                }
            }
            watchers.clear();
            if (server != null) {
                UnixGrpc.shutdown(server);
            }
            try {
                Files.deleteIfExists(settings.socket());
            } catch (IOException e) {
                LOG.warn("cannot remove {}: {}", settings.socket(), e.toString());
            }
        }
        grpc.close();
    }
}
