package dev.zerokube.overlay.runtime;

import dev.zerokube.overlay.codec.ByteReader;
import dev.zerokube.overlay.codec.WireFormatException;
import dev.zerokube.overlay.identity.Identity;
import dev.zerokube.overlay.identity.InvalidIdentityException;
import dev.zerokube.overlay.wire.NetworkId;
import dev.zerokube.overlay.wire.World;
import dev.zerokube.overlay.wire.netconf.NetworkConfig;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * A node's home directory in ZeroTier One's layout, read into values (ZT1-10 and ZT1-07 describe
 * the files): {@code identity.secret} / {@code identity.public}, {@code planet}, {@code moons.d/*.moon},
 * {@code networks.d/<nwid>.conf} (the last config received, a netconf dictionary) and
 * {@code networks.d/<nwid>.local.conf} (the member's local settings, {@code key=value} lines), and
 * {@code local.conf} (JSON, kept as text here: its settings are read by the node service).
 *
 * <p>Loading never half-succeeds silently: a file that exists but does not parse fails the load with
 * a {@link HomeException} naming the file and what was wrong, because running a node with an
 * identity or planet other than the one on disk would be worse than not starting. Missing optional
 * files are simply absent.
 */
public record NodeHome(
        Path dir,
        Identity identity,
        Optional<World> planet,
        List<World> moons,
        Map<NetworkId, NetworkConfig> networkConfigs,
        Map<NetworkId, Map<String, String>> networkLocalSettings,
        Optional<String> localConfJson) {

    /** Largest file read from a home directory; every real one is far smaller (a config is < 500 KB). */
    static final long FILE_BYTES_MAX = 1 << 20;

    public NodeHome {
        moons = List.copyOf(moons);
        networkConfigs = Collections.unmodifiableMap(new TreeMap<>(networkConfigs));
        networkLocalSettings = Collections.unmodifiableMap(new TreeMap<>(networkLocalSettings));
    }

    /** A home directory that cannot be used, with the file and the reason. */
    public static final class HomeException extends Exception {
        private static final long serialVersionUID = 1L;

        HomeException(Path file, String why) {
            super(file + ": " + why);
        }
    }

    /**
     * Loads {@code dir}. The identity comes from {@code identity.secret}, or from
     * {@code identity.public} when there is no secret (a home used only to recognise a peer); when
     * both exist they must name the same identity.
     */
    public static NodeHome load(Path dir) throws HomeException {
        if (!Files.isDirectory(dir)) {
            throw new HomeException(dir, "not a directory");
        }
        Identity identity = loadIdentity(dir);
        Path planetFile = dir.resolve("planet");
        Optional<byte[]> planetBytes = readIfPresent(planetFile);
        Optional<World> planet = planetBytes.isPresent()
                ? Optional.of(world(planetFile, planetBytes.get())) : Optional.empty();
        List<World> moons = new ArrayList<>();
        for (Path moon : list(dir.resolve("moons.d"), ".moon")) {
            moons.add(world(moon, read(moon)));
        }
        Map<NetworkId, NetworkConfig> configs = new TreeMap<>();
        Map<NetworkId, Map<String, String>> local = new TreeMap<>();
        for (Path conf : list(dir.resolve("networks.d"), ".conf")) {
            String name = conf.getFileName().toString();
            boolean isLocal = name.endsWith(".local.conf");
            NetworkId nwid = networkIdOf(conf, name.substring(0, name.indexOf('.')));
            if (isLocal) {
                local.put(nwid, keyValues(read(conf)));
            } else {
                configs.put(nwid, networkConfig(conf, nwid));
            }
        }
        Optional<String> localConf = readIfPresent(dir.resolve("local.conf"))
                .map(b -> new String(b, StandardCharsets.UTF_8));
        return new NodeHome(dir, identity, planet, moons, configs, local, localConf);
    }

    private static Identity loadIdentity(Path dir) throws HomeException {
        Path secretFile = dir.resolve("identity.secret");
        Path publicFile = dir.resolve("identity.public");
        Optional<Identity> secret = parseIdentity(secretFile);
        Optional<Identity> pub = parseIdentity(publicFile);
        if (secret.isPresent() && !secret.get().hasPrivate()) {
            throw new HomeException(secretFile, "holds no private key");
        }
        if (secret.isPresent() && pub.isPresent() && !secret.get().equals(pub.get())) {
            throw new HomeException(publicFile, "names " + pub.get().address() + ", but identity.secret is "
                    + secret.get().address());
        }
        Identity identity = secret.or(() -> pub)
                .orElseThrow(() -> new HomeException(dir, "has neither identity.secret nor identity.public"));
        if (!identity.locallyValidate()) {
            throw new HomeException(secret.isPresent() ? secretFile : publicFile,
                    "identity " + identity.address() + " fails validation (its address does not derive from its key)");
        }
        return identity;
    }

    private static Optional<Identity> parseIdentity(Path file) throws HomeException {
        Optional<byte[]> bytes = readIfPresent(file);
        if (bytes.isEmpty()) {
            return Optional.empty();
        }
        try {
            return Optional.of(Identity.parse(new String(bytes.get(), StandardCharsets.US_ASCII).strip()));
        } catch (InvalidIdentityException e) {
            throw new HomeException(file, e.getMessage());
        }
    }

    private static NetworkId networkIdOf(Path file, String hex) throws HomeException {
        try {
            return NetworkId.parse(hex);
        } catch (IllegalArgumentException e) {
            throw new HomeException(file, "file name is not a 16-digit network id");
        }
    }

    private static NetworkConfig networkConfig(Path file, NetworkId expected) throws HomeException {
        try {
            NetworkConfig config = NetworkConfig.decode(read(file));
            if (!config.networkId().equals(expected)) {
                throw new HomeException(file, "holds the config of network " + config.networkId());
            }
            return config;
        } catch (WireFormatException e) {
            throw new HomeException(file, e.what());
        }
    }

    private static World world(Path file, byte[] bytes) throws HomeException {
        try {
            ByteReader r = new ByteReader(bytes, file.getFileName().toString());
            World w = World.decode(r);
            r.expectEnd("the world");
            return w;
        } catch (WireFormatException e) {
            throw new HomeException(file, e.what());
        }
    }

    /** {@code key=value} lines as ZeroTier One writes {@code <nwid>.local.conf}; other lines are ignored. */
    static Map<String, String> keyValues(byte[] bytes) {
        Map<String, String> out = new TreeMap<>();
        for (String line : new String(bytes, StandardCharsets.UTF_8).split("\\R")) {
            int eq = line.indexOf('=');
            if (eq > 0) {
                out.put(line.substring(0, eq).strip(), line.substring(eq + 1).strip());
            }
        }
        return out;
    }

    private static List<Path> list(Path dir, String suffix) throws HomeException {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().endsWith(suffix)).sorted().toList();
        } catch (IOException e) {
            throw new HomeException(dir, "cannot be listed: " + e.getMessage());
        }
    }

    private static Optional<byte[]> readIfPresent(Path file) throws HomeException {
        return Files.isRegularFile(file) ? Optional.of(read(file)) : Optional.empty();
    }

    private static byte[] read(Path file) throws HomeException {
        try {
            long size = Files.size(file);
            if (size > FILE_BYTES_MAX) {
                throw new HomeException(file, "is " + size + " bytes, more than the " + FILE_BYTES_MAX + " a home file may be");
            }
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw new HomeException(file, "cannot be read: " + e.getMessage());
        }
    }
}
