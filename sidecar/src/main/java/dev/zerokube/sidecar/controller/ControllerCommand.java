package dev.zerokube.sidecar.controller;

import dev.zerokube.overlay.identity.Identity;
import dev.zerokube.overlay.runtime.ControllerHttpApi;
import dev.zerokube.overlay.runtime.ControllerMetrics;
import dev.zerokube.overlay.runtime.FilePolicyStore;
import dev.zerokube.sidecar.Command;
import dev.zerokube.sidecar.IdentityFiles;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;

/**
 * {@code zerokube controller --home DIR [--port N] [--api-port N] [--api-bind ADDR]
 * [--allow-management-from CIDR]...}: the standalone network controller. The home directory is a
 * ZeroTier One home: {@code identity.secret} (made if missing; its address starts every network id
 * this controller serves), {@code authtoken.secret} (made if missing: 24 characters, no newline,
 * mode 0600), optional {@code metricstoken.secret}, and {@code controller.d/} ({@link
 * FilePolicyStore}). Serves the controller HTTP API and {@code /metrics} on TCP {@code --api-port}
 * (default: {@code --port}, itself default 9993).
 *
 * <p>Runs until killed. Record files the store could not read are listed on stderr at start (the
 * records stay untouched and blocked; see {@link FilePolicyStore}).
 */
public final class ControllerCommand implements Command {
    static final int PORT_DEFAULT = 9993;
    private static final String TOKEN_ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789";
    private static final int TOKEN_LENGTH = 24;

    /** Parsed arguments. */
    record Options(Path home, int port, int apiPort, InetAddress apiBind, List<String> allowManagementFrom) {}

    /** A running controller (tests stop it; the command waits forever). */
    public static final class Running implements AutoCloseable {
        private final FilePolicyStore store;
        private final ControllerHttpApi api;
        private final Identity identity;

        Running(FilePolicyStore store, ControllerHttpApi api, Identity identity) {
            this.store = store;
            this.api = api;
            this.identity = identity;
        }

        public InetSocketAddress apiAddress() {
            return api.address();
        }

        public Identity identity() {
            return identity;
        }

        public FilePolicyStore store() {
            return store;
        }

        @Override
        public void close() throws IOException {
            api.close();
            store.close();
        }
    }

    @Override
    public int run(List<String> args, PrintStream out, PrintStream err) {
        Optional<Options> options = parse(args, err);
        if (options.isEmpty()) {
            return 1;
        }
        Running running;
        try {
            running = start(options.get(), out, err);
        } catch (IOException | RuntimeException e) {
            err.println("zerokube controller: " + e.getMessage());
            return 1;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(Thread.ofPlatform().unstarted(() -> {
            try {
                running.close();
            } catch (IOException e) {
                err.println("zerokube controller: " + e.getMessage());
            }
            stopped.countDown();
        }));
        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return 0;
    }

    static Optional<Options> parse(List<String> args, PrintStream err) {
        Path home = null;
        int port = PORT_DEFAULT;
        Integer apiPort = null;
        InetAddress bind = null;
        List<String> allowed = new ArrayList<>();
        try {
            for (int i = 0; i < args.size(); i++) {
                String a = args.get(i);
                if (i + 1 >= args.size()) {
                    throw new IllegalArgumentException(a.startsWith("--") ? a + " needs a value" : "unexpected " + a);
                }
                String v = args.get(++i);
                switch (a) {
                    case "--home" -> home = Path.of(v);
                    case "--port" -> port = port(a, v);
                    case "--api-port" -> apiPort = port(a, v);
                    case "--api-bind" -> bind = InetAddress.ofLiteral(v);
                    case "--allow-management-from" -> allowed.add(v);
                    default -> throw new IllegalArgumentException("unknown option " + a);
                }
            }
            if (home == null) {
                throw new IllegalArgumentException("--home DIR is required");
            }
            return Optional.of(new Options(home, port, apiPort == null ? port : apiPort,
                    bind == null ? InetAddress.ofLiteral("0.0.0.0") : bind, allowed));
        } catch (IllegalArgumentException e) {
            err.println("zerokube controller: " + e.getMessage());
            err.println("usage: zerokube controller --home DIR [--port N] [--api-port N] [--api-bind ADDR]"
                    + " [--allow-management-from CIDR]...");
            return Optional.empty();
        }
    }

    private static int port(String option, String v) {
        try {
            int p = Integer.parseInt(v);
            if (p >= 0 && p <= 65535) {
                return p;
            }
        } catch (NumberFormatException e) {
            // below
        }
        throw new IllegalArgumentException(option + " must be a port number, not " + v);
    }

    /** Opens the home, the store and the API; prints where it listens. */
    static Running start(Options o, PrintStream out, PrintStream err) throws IOException {
        Files.createDirectories(o.home());
        SecureRandom random = new SecureRandom();
        Identity identity = identity(o.home(), random, out);
        String token = token(o.home().resolve("authtoken.secret"), random);
        Optional<String> metricsToken = readToken(o.home().resolve("metricstoken.secret"));
        FilePolicyStore store = FilePolicyStore.open(o.home().resolve("controller.d"));
        try {
            for (FilePolicyStore.Problem p : store.problems()) {
                err.println("zerokube controller: WARNING " + p);
            }
            ControllerMetrics metrics = new ControllerMetrics(store);
            ControllerHttpApi api = new ControllerHttpApi(store, identity.address(), token, metricsToken,
                    o.allowManagementFrom(), metrics, System::currentTimeMillis, random);
            api.start(new InetSocketAddress(o.apiBind(), o.apiPort()));
            out.println("zerokube controller " + identity.address() + ": " + store.networkCount() + " networks, "
                    + store.memberCount() + " members in " + store.dir() + "; API and /metrics on "
                    + api.address() + (store.problems().isEmpty() ? "" : "; " + store.problems().size()
                    + " unreadable record files (see above)"));
            out.println("zerokube controller: answering config requests over UDP needs runtime.NodeService"
                    + " (not built yet); the API and store are running");
            out.flush();
            return new Running(store, api, identity);
        } catch (IOException | RuntimeException e) {
            store.close();
            throw e;
        }
    }

    private static Identity identity(Path home, SecureRandom random, PrintStream out) throws IOException {
        Path secret = home.resolve("identity.secret");
        if (Files.exists(secret)) {
            Identity id = IdentityFiles.read(secret)
                    .orElseThrow(() -> new IOException(secret + " does not hold an identity"));
            if (!id.hasPrivate()) {
                throw new IOException(secret + " holds no private key");
            }
            return id;
        }
        out.println("zerokube controller: generating identity.secret in " + home);
        Identity id = Identity.generate(random);
        writePrivate(secret, id.toString(true));
        Files.writeString(home.resolve("identity.public"), id.toString(false), StandardCharsets.US_ASCII);
        return id;
    }

    /** The token in {@code file}, trimmed as 1.14.1 does; made (24 chars, no newline, 0600) if missing. */
    static String token(Path file, SecureRandom random) throws IOException {
        Optional<String> existing = readToken(file);
        if (existing.isPresent()) {
            return existing.get();
        }
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < TOKEN_LENGTH; i++) {
            b.append(TOKEN_ALPHABET.charAt(random.nextInt(TOKEN_ALPHABET.length())));
        }
        writePrivate(file, b.toString());
        return b.toString();
    }

    private static Optional<String> readToken(Path file) throws IOException {
        if (!Files.exists(file)) {
            return Optional.empty();
        }
        String t = Files.readString(file, StandardCharsets.UTF_8).replaceAll("^[\\s\\x00]+|[\\s\\x00]+$", "");
        if (t.isEmpty()) {
            throw new IOException(file + " is empty");
        }
        return Optional.of(t);
    }

    private static void writePrivate(Path file, String text) throws IOException {
        Files.deleteIfExists(file);
        try {
            Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        } catch (UnsupportedOperationException e) {
            Files.createFile(file);
        }
        Files.writeString(file, text, StandardCharsets.US_ASCII);
    }
}
