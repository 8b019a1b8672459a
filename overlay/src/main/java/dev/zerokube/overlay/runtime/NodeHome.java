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
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
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
 * {@code local.conf} (JSON, kept as text here; {@link LocalConf} reads its settings).
 * {@link #create} makes a home on first start the way {@code zerotier-one} does, and the
 * {@code save...} methods keep it up to date while the node runs (writes are atomic: a temporary
 * file renamed over the old one).
 *
 * <p>{@code networks.d/<nwid>.conf} is the list of joined networks: ZeroTier One writes it at join
 * time with a single newline as placeholder content, then the config once one arrives, and
 * deletes it on leave. {@link #networks()} lists every such file; {@link #networkConfigs()} holds
 * the ones that carry a config.
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
        List<NetworkId> networks,
        Map<NetworkId, NetworkConfig> networkConfigs,
        Map<NetworkId, Map<String, String>> networkLocalSettings,
        Optional<String> localConfJson) {

    /** Largest file read from a home directory; every real one is far smaller (a config is < 500 KB). */
    static final long FILE_BYTES_MAX = 1 << 20;

    public NodeHome {
        moons = List.copyOf(moons);
        networks = List.copyOf(networks);
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
        List<NetworkId> networks = new ArrayList<>();
        Map<NetworkId, NetworkConfig> configs = new TreeMap<>();
        Map<NetworkId, Map<String, String>> local = new TreeMap<>();
        for (Path conf : list(dir.resolve("networks.d"), ".conf")) {
            String name = conf.getFileName().toString();
            boolean isLocal = name.endsWith(".local.conf");
            NetworkId nwid = networkIdOf(conf, name.substring(0, name.indexOf('.')));
            if (isLocal) {
                local.put(nwid, keyValues(read(conf)));
            } else {
                networks.add(nwid);
                byte[] bytes = read(conf);
                if (!new String(bytes, StandardCharsets.ISO_8859_1).isBlank()) {
                    configs.put(nwid, networkConfig(conf, nwid, bytes));
                }
            }
        }
        Optional<String> localConf = readIfPresent(dir.resolve("local.conf"))
                .map(b -> new String(b, StandardCharsets.UTF_8));
        return new NodeHome(dir, identity, planet, moons, networks, configs, local, localConf);
    }

    /**
     * Opens {@code dir} as {@code zerotier-one} does at start, creating what is missing: the
     * directory, a new identity ({@code identity.secret} mode 0600, {@code identity.public}), an
     * {@code authtoken.secret} (ZT1-10 §1.3: 24 characters of {@code [a-z0-9]}, no newline, 0600),
     * {@code moons.d} and {@code networks.d}, and the {@code planet} file from {@code planet} when
     * there is none (null: leave it absent; {@link #earth()} is ZeroTier's default). Existing files
     * are kept; the two secrets get mode 0600 again. Then {@link #load}s it.
     */
    public static NodeHome create(Path dir, World planet, SecureRandom random) throws HomeException {
        try {
            Files.createDirectories(dir);
            Files.createDirectories(dir.resolve("moons.d"));
            Files.createDirectories(dir.resolve("networks.d"));
        } catch (IOException e) {
            throw new HomeException(dir, "cannot be created: " + e.getMessage());
        }
        Path secretFile = dir.resolve("identity.secret");
        if (!Files.exists(secretFile) && !Files.exists(dir.resolve("identity.public"))) {
            Identity identity = Identity.generate(random);
            writeAtomically(secretFile, identity.toString(true).getBytes(StandardCharsets.US_ASCII), true);
            writeAtomically(dir.resolve("identity.public"), identity.toString(false).getBytes(StandardCharsets.US_ASCII),
                    false);
        }
        Path tokenFile = dir.resolve(AUTHTOKEN_FILE);
        if (!Files.exists(tokenFile)) {
            writeAtomically(tokenFile, randomToken(random).getBytes(StandardCharsets.US_ASCII), true);
        }
        for (Path secret : List.of(secretFile, tokenFile)) {
            if (Files.exists(secret)) {
                ownerOnly(secret);
            }
        }
        if (planet != null && !Files.exists(dir.resolve("planet"))) {
            writeAtomically(dir.resolve("planet"), planet.toBytes(), false);
        }
        return load(dir);
    }

    /** The local API token file (ZT1-10 §1.3). */
    public static final String AUTHTOKEN_FILE = "authtoken.secret";
    /** Where the node writes its primary port for {@code zerotier-cli} (ZT1-10 §1.1). */
    public static final String PORT_FILE = "zerotier-one.port";
    private static final String TOKEN_ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789";
    private static final int TOKEN_LENGTH = 24;

    private static String randomToken(SecureRandom random) {
        StringBuilder b = new StringBuilder(TOKEN_LENGTH);
        for (int i = 0; i < TOKEN_LENGTH; i++) {
            b.append(TOKEN_ALPHABET.charAt(random.nextInt(TOKEN_ALPHABET.length())));
        }
        return b.toString();
    }

    /**
     * ZeroTier's default planet ("Earth", world 149604618) as compiled into 1.14.1, used when a
     * home has no {@code planet} file (ZT1-07 §3.4). The bytes are the vectors' {@code planet} line.
     */
    public static World earth() {
        try (var in = NodeHome.class.getResourceAsStream("planet-earth.bin")) {
            if (in == null) {
                throw new IllegalStateException("planet-earth.bin missing from the classpath");
            }
            ByteReader r = new ByteReader(in.readAllBytes(), "planet-earth.bin");
            World w = World.decode(r);
            r.expectEnd("the world");
            return w;
        } catch (IOException | WireFormatException e) {
            throw new IllegalStateException("the built-in planet does not load", e);
        }
    }

    /**
     * The local API token: {@code authtoken.secret} with surrounding white space and NULs trimmed,
     * as 1.14.1 reads it (ZT1-10 §1.3).
     */
    public String authToken() throws HomeException {
        Path file = dir.resolve(AUTHTOKEN_FILE);
        String token = new String(read(file), StandardCharsets.UTF_8).replaceAll("^[\\s\\x00]+|[\\s\\x00]+$", "");
        if (token.isEmpty()) {
            throw new HomeException(file, "is empty");
        }
        return token;
    }

    /** Writes {@code zerotier-one.port}: the decimal port, no newline (ZT1-10 §1.1). */
    public void savePort(int port) throws HomeException {
        writeAtomically(dir.resolve(PORT_FILE), Integer.toString(port).getBytes(StandardCharsets.US_ASCII), false);
    }

    /** Records a join: {@code networks.d/<nwid>.conf} with the placeholder newline unless a config is already there. */
    public void saveJoined(NetworkId nwid) throws HomeException {
        Path file = networkFile(nwid, ".conf");
        if (!Files.exists(file)) {
            writeAtomically(file, new byte[] {'\n'}, true);
        }
    }

    /** Stores the last config received for {@code nwid} (its dictionary bytes). */
    public void saveNetworkConfig(NetworkId nwid, byte[] dictionary) throws HomeException {
        writeAtomically(networkFile(nwid, ".conf"), dictionary, true);
    }

    /**
     * Writes {@code networks.d/<nwid>.local.conf} as 1.14.1 does (ZT1-10 §2.6): four
     * {@code key=0|1} lines, each ending in a newline.
     */
    public void saveLocalSettings(NetworkId nwid, boolean allowManaged, boolean allowGlobal, boolean allowDefault,
            boolean allowDns) throws HomeException {
        String text = "allowManaged=" + (allowManaged ? 1 : 0) + "\nallowGlobal=" + (allowGlobal ? 1 : 0)
                + "\nallowDefault=" + (allowDefault ? 1 : 0) + "\nallowDNS=" + (allowDns ? 1 : 0) + "\n";
        writeAtomically(networkFile(nwid, ".local.conf"), text.getBytes(StandardCharsets.US_ASCII), false);
    }

    /** Records a leave: deletes the network's two files. */
    public void saveLeft(NetworkId nwid) throws HomeException {
        for (String suffix : List.of(".conf", ".local.conf")) {
            Path file = networkFile(nwid, suffix);
            try {
                Files.deleteIfExists(file);
            } catch (IOException e) {
                throw new HomeException(file, "cannot be deleted: " + e.getMessage());
            }
        }
    }

    /** Persists a world the node accepted: the planet, or {@code moons.d/<16 hex id>.moon}. */
    public void saveWorld(World world) throws HomeException {
        Path file = world.type() == World.Type.PLANET ? dir.resolve("planet")
                : dir.resolve("moons.d").resolve(String.format("%016x.moon", world.id()));
        writeAtomically(file, world.toBytes(), false);
    }

    /** Records a deorbit: deletes {@code moons.d/<16 hex id>.moon} if it is there. */
    public void deleteMoon(long moonId) throws HomeException {
        Path file = dir.resolve("moons.d").resolve(String.format("%016x.moon", moonId));
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            throw new HomeException(file, "cannot be deleted: " + e.getMessage());
        }
    }

        private Path networkFile(NetworkId nwid, String suffix) {
        return dir.resolve("networks.d").resolve(nwid + suffix);
    }

    /** Writes a temporary file beside {@code file} and renames it over {@code file}, so readers see the old or the new whole. */
    static void writeAtomically(Path file, byte[] bytes, boolean ownerOnly) throws HomeException {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        try {
            if (ownerOnly) {
                Files.deleteIfExists(tmp);
                createOwnerOnly(tmp);
            }
            Files.write(tmp, bytes);
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new HomeException(file, "cannot be written: " + e.getMessage());
        }
    }

    private static void createOwnerOnly(Path file) throws IOException {
        try {
            Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        } catch (UnsupportedOperationException e) {
            Files.createFile(file); // not a POSIX file system: nothing finer to set
        }
    }

    private static void ownerOnly(Path file) throws HomeException {
        try {
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        } catch (UnsupportedOperationException e) {
            // not a POSIX file system
        } catch (IOException e) {
            throw new HomeException(file, "cannot be made private (0600): " + e.getMessage());
        }
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

    private static NetworkConfig networkConfig(Path file, NetworkId expected, byte[] bytes) throws HomeException {
        try {
            NetworkConfig config = NetworkConfig.decode(bytes);
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
