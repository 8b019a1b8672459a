package dev.zerokube.overlay.runtime;

import dev.zerokube.overlay.controller.ControllerJson;
import dev.zerokube.overlay.controller.LastRequest;
import dev.zerokube.overlay.controller.MemberRecord;
import dev.zerokube.overlay.controller.MemberWrite;
import dev.zerokube.overlay.controller.NetworkRecord;
import dev.zerokube.overlay.controller.NetworkSummary;
import dev.zerokube.overlay.controller.PolicyChange;
import dev.zerokube.overlay.controller.PolicyStore;
import dev.zerokube.overlay.identity.Address;
import dev.zerokube.overlay.wire.NetworkId;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.regex.Pattern;

/**
 * A {@link PolicyStore} in files, laid out as ZeroTier One 1.14.1's {@code controller.d}
 * (ZT1-09 §2.4), so an existing 1.14.1 controller directory can be opened as it is:
 *
 * <pre>
 * controller.d/
 *   network/&lt;nwid&gt;.json                    a network (ControllerJson object, compact, sorted keys)
 *   network/&lt;nwid&gt;/member/&lt;address&gt;.json   a member
 *   .lock                                   held while open: one controller per directory
 * </pre>
 *
 * <p><b>Crash safety.</b> A record is replaced atomically: its JSON goes to {@code .<name>.tmp} in
 * the same directory, which is written, fsynced and renamed over the record, and then the
 * directory is fsynced. So after a {@code kill -9} (or power loss) each record file holds either its
 * old or its new content, and a write that returned is on disk. Deletes go member files first and
 * the network file last, so an interrupted network delete leaves a smaller network, never
 * orphaned members that a re-created network would inherit. At open, left-over temp files are
 * removed; a record file that cannot be read (or names another record than its path) is reported
 * in {@link #problems()}, kept on disk untouched, and its record is <em>blocked</em>: it is not
 * served, and every write to it is refused ({@link RecordBlockedException}, or a
 * {@link MemberWrite.Outcome#CONFLICT} for the controller), until an operator repairs or removes
 * the file and restarts.
 *
 * <p><b>Threads.</b> Reads are lock-free over an in-memory index loaded at open. Writes (the
 * controller's compare-and-set {@link #writeMember} and the administrator's {@code put*}/{@code
 * delete*}) are serialized by one lock, so compare-and-set holds across threads. Administrator
 * writes return the {@link PolicyChange} and also hand it to every {@linkplain #addListener
 * listener} on the writing thread (the controller service forwards it to the controller's thread).
 *
 * <p>Last requests ({@link #recordRequest}) are status, kept in memory only, as 1.14.1's FileDB
 * does. Fields of a 1.14.1 file that {@link ControllerJson} does not model are not kept when the
 * record is rewritten.
 */
public final class FilePolicyStore implements PolicyStore, AutoCloseable {
    private static final Pattern NETWORK_FILE = Pattern.compile("[0-9a-f]{16}\\.json");
    private static final Pattern NETWORK_DIR = Pattern.compile("[0-9a-f]{16}");
    private static final Pattern MEMBER_FILE = Pattern.compile("[0-9a-f]{10}\\.json");
    private static final String TEMP_SUFFIX = ".tmp";
    /** A record file larger than this is not a record (1.14.1's arrays are capped at 16384 entries). */
    static final long RECORD_BYTES_MAX = 16L << 20;

    /** A record file that could not be used, and why. */
    public record Problem(Path file, String reason) {
        @Override
        public String toString() {
            return file + ": " + reason;
        }
    }

    /** A write to a record whose file was unreadable at open (see {@link #problems()}). */
    public static final class RecordBlockedException extends IllegalStateException {
        private static final long serialVersionUID = 1L;

        RecordBlockedException(String message) {
            super(message);
        }
    }

    /** The records of one network; the record is null while the network is blocked. */
    private static final class Net {
        volatile NetworkRecord record;
        final ConcurrentSkipListMap<Address, MemberRecord> members = new ConcurrentSkipListMap<>();
        final ConcurrentHashMap<Address, LastRequest> lastRequests = new ConcurrentHashMap<>();
        /** Cached summary, dropped when a member's bridge flag, authorization or IPs change. */
        volatile NetworkSummary summary;
    }

    private final Path dir;
    private final Path networkDir;
    private final FileChannel lockChannel;
    private final FileLock lock;
    private final ConcurrentHashMap<NetworkId, Net> networks = new ConcurrentHashMap<>();
    private final Map<Path, Problem> problems = new ConcurrentHashMap<>();
    private final List<Consumer<PolicyChange>> listeners = new CopyOnWriteArrayList<>();
    private final Object writeLock = new Object();

    private FilePolicyStore(Path dir, FileChannel lockChannel, FileLock lock) {
        this.dir = dir;
        this.networkDir = dir.resolve("network");
        this.lockChannel = lockChannel;
        this.lock = lock;
    }

    /**
     * Opens (creating if needed, mode 0700 where supported) the controller directory {@code dir} and
     * loads every record into memory. Problems with single records do not fail the open; see
     * {@link #problems()}.
     *
     * @throws IOException if the directory cannot be created, listed or locked, or another process
     *     holds it
     */
    public static FilePolicyStore open(Path dir) throws IOException {
        Files.createDirectories(dir.resolve("network"));
        try {
            Files.setPosixFilePermissions(dir, java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
        } catch (UnsupportedOperationException e) {
            // not a POSIX file system: permissions are the operator's business there
        }
        FileChannel ch = FileChannel.open(dir.resolve(".lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        FileLock lock;
        try {
            lock = ch.tryLock();
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
        if (lock == null) {
            ch.close();
            throw new IOException(dir + " is in use by another controller process");
        }
        FilePolicyStore store = new FilePolicyStore(dir, ch, lock);
        try {
            store.load();
        } catch (IOException | RuntimeException e) {
            store.close();
            throw e;
        }
        return store;
    }

    /** The controller directory. */
    public Path dir() {
        return dir;
    }

    /** Record files found unusable at open, by path; empty when every file loaded. */
    public List<Problem> problems() {
        List<Problem> out = new ArrayList<>(problems.values());
        out.sort(Comparator.comparing(Problem::file));
        return out;
    }

    /** Called with each administrator change, on the writing thread, after it is on disk. */
    public void addListener(Consumer<PolicyChange> listener) {
        listeners.add(Objects.requireNonNull(listener, "listener"));
    }

    // ------------------------------------------------------------------ load

    private void load() throws IOException {
        try (DirectoryStream<Path> s = Files.newDirectoryStream(networkDir)) {
            for (Path p : s) {
                String name = p.getFileName().toString();
                if (isTemp(name)) {
                    Files.deleteIfExists(p);
                } else if (Files.isRegularFile(p) && NETWORK_FILE.matcher(name).matches()) {
                    loadNetwork(p, NetworkId.parse(name.substring(0, 16)));
                } else if (!(Files.isDirectory(p) && NETWORK_DIR.matcher(name).matches())) {
                    problem(p, "not a record name (expected <16 hex digits>.json); ignored");
                }
            }
        }
        // Member directories: those of loaded (or blocked) networks, and orphans.
        try (DirectoryStream<Path> s = Files.newDirectoryStream(networkDir, Files::isDirectory)) {
            for (Path p : s) {
                String name = p.getFileName().toString();
                if (!NETWORK_DIR.matcher(name).matches()) {
                    continue;
                }
                NetworkId id = NetworkId.parse(name);
                Net net = networks.get(id);
                if (net == null) {
                    problem(p, "member directory without a network file " + name + ".json; not loaded");
                } else if (net.record == null) {
                    problem(p, "members not loaded because the network file is unusable");
                } else {
                    loadMembers(p.resolve("member"), id, net);
                }
            }
        }
        fsyncDir(networkDir);
    }

    private void loadNetwork(Path file, NetworkId id) {
        Net net = new Net();
        networks.put(id, net);
        try {
            NetworkRecord r = ControllerJson.network(readObject(file));
            if (!r.id().equals(id)) {
                problem(file, "holds network " + r.id() + ", not " + id);
                return;
            }
            net.record = r;
        } catch (IOException | JsonText.JsonSyntaxException | RuntimeException e) {
            problem(file, unreadable(e));
        }
    }

    private void loadMembers(Path memberDir, NetworkId id, Net net) throws IOException {
        if (!Files.isDirectory(memberDir)) {
            return;
        }
        try (DirectoryStream<Path> s = Files.newDirectoryStream(memberDir)) {
            for (Path p : s) {
                String name = p.getFileName().toString();
                if (isTemp(name)) {
                    Files.deleteIfExists(p);
                    continue;
                }
                if (!Files.isRegularFile(p) || !MEMBER_FILE.matcher(name).matches()) {
                    problem(p, "not a record name (expected <10 hex digits>.json); ignored");
                    continue;
                }
                Address address = Address.parse(name.substring(0, 10));
                try {
                    MemberRecord m = ControllerJson.member(readObject(p));
                    if (!m.networkId().equals(id) || !m.address().equals(address)) {
                        problem(p, "holds member " + m.networkId() + "/" + m.address() + ", not " + id + "/" + address);
                    } else {
                        net.members.put(address, m);
                    }
                } catch (IOException | JsonText.JsonSyntaxException | RuntimeException e) {
                    problem(p, unreadable(e));
                }
            }
        }
        fsyncDir(memberDir);
    }

    private static Map<String, Object> readObject(Path file) throws IOException, JsonText.JsonSyntaxException {
        long size = Files.size(file);
        if (size > RECORD_BYTES_MAX) {
            throw new IOException(size + " bytes, more than a record may have (" + RECORD_BYTES_MAX + ")");
        }
        return JsonText.parseObject(Files.readAllBytes(file));
    }

    private static String unreadable(Exception e) {
        return "unreadable, left as it is and its record blocked (" + e.getMessage() + ")";
    }

    private void problem(Path file, String reason) {
        problems.put(file, new Problem(file, reason));
    }

    private static boolean isTemp(String name) {
        return name.startsWith(".") && name.endsWith(TEMP_SUFFIX);
    }

    // ------------------------------------------------------------------ reads

    @Override
    public Optional<NetworkRecord> network(NetworkId id) {
        Net net = networks.get(id);
        return Optional.ofNullable(net == null ? null : net.record);
    }

    @Override
    public Optional<MemberRecord> member(NetworkId id, Address address) {
        Net net = networks.get(id);
        return Optional.ofNullable(net == null || net.record == null ? null : net.members.get(address));
    }

    @Override
    public List<MemberRecord> members(NetworkId id) {
        Net net = networks.get(id);
        return net == null || net.record == null ? List.of() : new ArrayList<>(net.members.values());
    }

    @Override
    public NetworkSummary summary(NetworkId id) {
        Net net = networks.get(id);
        if (net == null || net.record == null) {
            return NetworkSummary.of(List.of());
        }
        NetworkSummary s = net.summary;
        if (s == null) {
            s = NetworkSummary.of(net.members.values());
            net.summary = s;
        }
        return s;
    }

    /** Ids of the served networks, ascending (blocked ones excluded). */
    public List<NetworkId> networkIds() {
        return networks.entrySet().stream().filter(e -> e.getValue().record != null).map(Map.Entry::getKey).sorted()
                .toList();
    }

    /** Whether a network file exists for this id, served or blocked (new ids must avoid both). */
    public boolean networkIdTaken(NetworkId id) {
        return networks.containsKey(id);
    }

    /** Number of served networks. */
    public int networkCount() {
        return (int) networks.values().stream().filter(n -> n.record != null).count();
    }

    /** Number of member records of served networks. */
    public long memberCount() {
        long n = 0;
        for (Net net : networks.values()) {
            if (net.record != null) {
                n += net.members.size();
            }
        }
        return n;
    }

    @Override
    public void recordRequest(NetworkId id, Address address, LastRequest request) {
        Net net = networks.get(id);
        if (net != null && net.record != null) {
            net.lastRequests.put(address, request);
        }
    }

    @Override
    public Optional<LastRequest> lastRequest(NetworkId id, Address address) {
        Net net = networks.get(id);
        return Optional.ofNullable(net == null ? null : net.lastRequests.get(address));
    }

    // ------------------------------------------------------------------ writes

    @Override
    public MemberWrite writeMember(MemberRecord next, OptionalLong expectedRevision) {
        synchronized (writeLock) {
            Net net = networks.get(next.networkId());
            Optional<MemberRecord> stored = member(next.networkId(), next.address());
            if (net == null || net.record == null || isBlocked(next.networkId(), next.address())) {
                return new MemberWrite(MemberWrite.Outcome.CONFLICT, stored);
            }
            boolean expected = stored.isEmpty() ? expectedRevision.isEmpty()
                    : expectedRevision.isPresent() && expectedRevision.getAsLong() == stored.get().revision();
            if (!expected) {
                return new MemberWrite(MemberWrite.Outcome.CONFLICT, stored);
            }
            if (stored.isPresent() && stored.get().sameIgnoringRevision(next)) {
                return new MemberWrite(MemberWrite.Outcome.UNCHANGED, stored);
            }
            MemberRecord saved = next.withRevision(expectedRevision.orElse(0) + 1);
            saveMember(net, stored, saved);
            return new MemberWrite(MemberWrite.Outcome.STORED, Optional.of(saved));
        }
    }

    /**
     * Saves a network as an administrator does (ZT1-09 §2.4): unless only the revision differs,
     * stores it with the stored revision + 1 (the given record's revision + 1 if new), reports the
     * change to the listeners and returns it.
     *
     * @throws RecordBlockedException if the network's file was unusable at open
     * @throws UncheckedIOException if the file cannot be written (nothing changed then)
     */
    public Optional<PolicyChange> putNetwork(NetworkRecord network) {
        PolicyChange change;
        synchronized (writeLock) {
            Net net = networks.get(network.id());
            if (net != null && net.record == null) {
                throw blocked(networkFile(network.id()));
            }
            NetworkRecord stored = net == null ? null : net.record;
            if (stored != null && stored.sameIgnoringRevision(network)) {
                return Optional.empty();
            }
            NetworkRecord saved = network.withRevision((stored == null ? network.revision() : stored.revision()) + 1);
            writeAtomically(networkFile(saved.id()), JsonText.write(ControllerJson.toJson(saved)));
            if (net == null) {
                net = new Net();
                networks.put(saved.id(), net);
            }
            net.record = saved;
            change = new PolicyChange.NetworkChanged(saved);
        }
        return notify(change);
    }

    /**
     * Saves a member as an administrator does (the network must exist): unless only the revision
     * differs, stores it with the stored revision + 1 (1 if new), reports and returns the change.
     *
     * @throws IllegalArgumentException if the network does not exist
     * @throws RecordBlockedException if the member's or network's file was unusable at open
     * @throws UncheckedIOException if the file cannot be written (nothing changed then)
     */
    public Optional<PolicyChange> putMember(MemberRecord member) {
        PolicyChange change;
        synchronized (writeLock) {
            Net net = requireNetwork(member.networkId());
            if (isBlocked(member.networkId(), member.address())) {
                throw blocked(memberFile(member.networkId(), member.address()));
            }
            Optional<MemberRecord> stored = Optional.ofNullable(net.members.get(member.address()));
            if (stored.isPresent() && stored.get().sameIgnoringRevision(member)) {
                return Optional.empty();
            }
            MemberRecord saved = member.withRevision(stored.map(MemberRecord::revision).orElse(0L) + 1);
            saveMember(net, stored, saved);
            change = new PolicyChange.MemberChanged(stored, saved);
        }
        return notify(change);
    }

    /** A read-modify-write step: the next record from the stored one (empty if none). */
    @FunctionalInterface
    public interface Update<T, E extends Exception> {
        T apply(Optional<T> stored) throws E;
    }

    /**
     * Atomic read-modify-write of a network as an administrator: {@code update} gets the stored
     * record (no other write can come between) and its result is saved as by {@link #putNetwork}.
     *
     * @return the record stored afterwards
     * @throws E whatever {@code update} throws; nothing is written then
     */
    public <E extends Exception> NetworkRecord updateNetwork(NetworkId id, Update<NetworkRecord, E> update) throws E {
        synchronized (writeLock) {
            NetworkRecord next = update.apply(network(id));
            if (!next.id().equals(id)) {
                throw new IllegalArgumentException("update of " + id + " returned network " + next.id());
            }
            putNetwork(next);
            return network(id).orElseThrow();
        }
    }

    /**
     * Atomic read-modify-write of a member as an administrator (the network must exist): as
     * {@link #updateNetwork}, saved as by {@link #putMember}, so a concurrent write by the
     * controller is never overwritten with stale values.
     */
    public <E extends Exception> MemberRecord updateMember(NetworkId id, Address address, Update<MemberRecord, E> update)
            throws E {
        synchronized (writeLock) {
            requireNetwork(id);
            if (isBlocked(id, address)) {
                throw blocked(memberFile(id, address));
            }
            MemberRecord next = update.apply(member(id, address));
            if (!next.networkId().equals(id) || !next.address().equals(address)) {
                throw new IllegalArgumentException("update of " + id + "/" + address + " returned another member");
            }
            putMember(next);
            return member(id, address).orElseThrow();
        }
    }

    /**
     * Deletes a member record, reporting the deletion if there was one.
     *
     * @throws RecordBlockedException if the member's file was unusable at open
     */
    public Optional<PolicyChange> deleteMember(NetworkId id, Address address) {
        PolicyChange change;
        synchronized (writeLock) {
            Net net = networks.get(id);
            if (isBlocked(id, address)) {
                throw blocked(memberFile(id, address));
            }
            MemberRecord removed = net == null || net.record == null ? null : net.members.get(address);
            if (removed == null) {
                return Optional.empty();
            }
            Path file = memberFile(id, address);
            try {
                Files.deleteIfExists(file);
                fsyncDir(file.getParent());
            } catch (IOException e) {
                throw new UncheckedIOException("cannot delete " + file, e);
            }
            net.members.remove(address);
            net.lastRequests.remove(address);
            net.summary = null;
            change = new PolicyChange.MemberDeleted(removed);
        }
        return notify(change);
    }

    /**
     * Deletes a network and its member records (member files first, the network file last),
     * reporting the deletion if there was one.
     *
     * @throws RecordBlockedException if the network or one of its members is blocked
     */
    public Optional<PolicyChange> deleteNetwork(NetworkId id) {
        PolicyChange change;
        synchronized (writeLock) {
            Net net = networks.get(id);
            if (net == null) {
                return Optional.empty();
            }
            if (net.record == null) {
                throw blocked(networkFile(id));
            }
            Path memberDir = networkDir.resolve(id.toString()).resolve("member");
            for (Problem p : problems.values()) {
                if (p.file().startsWith(memberDir)) {
                    throw blocked(p.file());
                }
            }
            List<MemberRecord> members = new ArrayList<>(net.members.values());
            try {
                for (MemberRecord m : members) {
                    Files.deleteIfExists(memberFile(id, m.address()));
                    net.members.remove(m.address());
                }
                if (Files.isDirectory(memberDir)) {
                    deleteTempFiles(memberDir);
                    fsyncDir(memberDir);
                    Files.deleteIfExists(memberDir);
                }
                Files.deleteIfExists(memberDir.getParent());
                Files.deleteIfExists(networkFile(id));
                fsyncDir(networkDir);
            } catch (IOException e) {
                net.summary = null;
                throw new UncheckedIOException("cannot delete network " + id + " completely", e);
            }
            networks.remove(id);
            change = new PolicyChange.NetworkDeleted(net.record, members);
        }
        return notify(change);
    }

    private Net requireNetwork(NetworkId id) {
        Net net = networks.get(id);
        if (net == null) {
            throw new IllegalArgumentException("no network " + id);
        }
        if (net.record == null) {
            throw blocked(networkFile(id));
        }
        return net;
    }

    private void saveMember(Net net, Optional<MemberRecord> stored, MemberRecord saved) {
        Path file = memberFile(saved.networkId(), saved.address());
        Path memberDir = file.getParent();
        if (!Files.isDirectory(memberDir)) {
            try {
                Files.createDirectories(memberDir);
                // the new directories' entries must be durable before a record in them is
                fsyncDir(memberDir.getParent());
                fsyncDir(networkDir);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot create " + memberDir, e);
            }
        }
        writeAtomically(file, JsonText.write(ControllerJson.toJson(saved)));
        net.members.put(saved.address(), saved);
        if (stored.isEmpty() || affectsSummary(stored.get(), saved)) {
            net.summary = null;
        }
    }

    private static boolean affectsSummary(MemberRecord before, MemberRecord after) {
        return before.activeBridge() != after.activeBridge() || before.authorized() != after.authorized()
                || !before.ipAssignments().equals(after.ipAssignments());
    }

    private boolean isBlocked(NetworkId id, Address address) {
        return problems.containsKey(memberFile(id, address)) || problems.containsKey(networkFile(id));
    }

    private RecordBlockedException blocked(Path file) {
        Problem p = problems.get(file);
        return new RecordBlockedException(file + " was unusable when the store opened"
                + (p == null ? "" : " (" + p.reason() + ")") + "; repair or remove it and restart the controller");
    }

    private Optional<PolicyChange> notify(PolicyChange change) {
        for (Consumer<PolicyChange> l : listeners) {
            l.accept(change);
        }
        return Optional.of(change);
    }

    Path networkFile(NetworkId id) {
        return networkDir.resolve(id + ".json");
    }

    Path memberFile(NetworkId id, Address address) {
        return networkDir.resolve(id.toString()).resolve("member").resolve(address + ".json");
    }

    /**
     * Replaces {@code file} with {@code bytes} so that a crash at any point leaves the old or the
     * new content: temp file in the same directory, write, fsync, rename over, fsync the directory.
     */
    static void writeAtomically(Path file, byte[] bytes) {
        Path tmp = file.resolveSibling("." + file.getFileName() + TEMP_SUFFIX);
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING)) {
                ByteBuffer b = ByteBuffer.wrap(bytes);
                while (b.hasRemaining()) {
                    ch.write(b);
                }
                ch.force(true);
            }
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            fsyncDir(file.getParent());
        } catch (IOException e) {
            try {
                Files.deleteIfExists(tmp);
            } catch (IOException ignored) {
                // the temp file is removed at the next open anyway
            }
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }

    private static void deleteTempFiles(Path dir) throws IOException {
        try (DirectoryStream<Path> s = Files.newDirectoryStream(dir)) {
            for (Path p : s) {
                if (isTemp(p.getFileName().toString())) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }

    /** Makes a directory's entries (creations, renames, deletions) durable. */
    static void fsyncDir(Path dir) throws IOException {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        }
    }

    /** Releases the directory lock; the store must not be used afterwards. */
    @Override
    public void close() throws IOException {
        try {
            if (lock.isValid()) {
                lock.release();
            }
        } finally {
            lockChannel.close();
        }
    }
}
