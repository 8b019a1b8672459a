package dev.zerokube.sidecar.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.zerokube.sidecar.Command;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * {@code zerokube cli}: ZeroTier One 1.14.1's {@code zerotier-cli} against a local API (ZT1-10
 * §3): the same switches ({@code -D<home> -p<port> -T<token> -H<ip> -j}, also with the value as
 * the next argument), the same way of finding port and token ({@code zerotier-one.port} and
 * {@code authtoken.secret} in the home: {@code -D}, else {@code ZEROTIER_HOME}, else
 * {@code /var/lib/zerotier-one}), the same output lines, streams and exit codes for
 * {@code info}, {@code listpeers}, {@code peers}, {@code listnetworks}, {@code join},
 * {@code leave}, {@code set}, {@code get}, {@code listmoons} and a raw {@code /path}, including
 * the exit-0 quirks scripts rely on (Q12).
 *
 * <p>Deliberate differences: the token read from the file is trimmed (the CLI sends it verbatim,
 * which breaks on a trailing newline, Q2); a missing command prints the usage and exits 0 as
 * zerotier-cli does, but the usage text is zerokube's.
 */
public final class CliCommand implements Command {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String DEFAULT_HOME = "/var/lib/zerotier-one";
    private static final String CONNECT_HINT =
            "Please check that the service is running and that TCP port 9993 can be contacted via 127.0.0.1.";
    private static final String USAGE = """
            usage: zerokube cli [-D<home>] [-p<port>] [-T<token>] [-H<ip>] [-j] <command> [args]
              info | listpeers | peers | listnetworks | listmoons
              join <network> | leave <network>
              echo <address> [<payload hex>|-] [<count> [<interval ms>]]   (zerokube's own)
              orbit <world id> <seed address> | deorbit <world id>
              set <network> <allowManaged|allowGlobal|allowDefault|allowDNS>=<0|1>
              get <network> <property|ip|ip4|ip6|ip6plane|ip6prefix>
              /<path>   (raw GET of a local API path)""";

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    private final Map<String, String> env;

    public CliCommand() {
        this(System.getenv());
    }

    /** With an explicit environment (tests). */
    public CliCommand(Map<String, String> env) {
        this.env = env;
    }

    /** A connection failure: the status 0 of zerotier-cli's HTTP call, with its reason. */
    private record Reply(int status, String body) {}

    @Override
    public int run(List<String> args, PrintStream out, PrintStream err) {
        boolean json = false;
        String home = null;
        String token = null;
        String host = "127.0.0.1";
        int port = 0;
        List<String> positional = new ArrayList<>();
        List<String> everyPositional = new ArrayList<>(); // for zerokube's own commands, without Q11
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            if (a.startsWith("-") && a.length() >= 2 && !a.startsWith("/")) {
                char flag = a.charAt(1);
                String value = a.substring(2);
                if ((flag == 'D' || flag == 'p' || flag == 'T' || flag == 'H') && value.isEmpty() && i + 1 < args.size()) {
                    value = args.get(++i);
                }
                switch (flag) {
                    case 'j' -> {
                        if (!value.isEmpty()) {
                            out.println(USAGE);
                            return 1;
                        }
                        json = true;
                    }
                    case 'q' -> { }
                    case 'v' -> {
                        out.println("1.14.1");
                        return 0;
                    }
                    case 'D', 'T', 'H' -> {
                        if (value.isEmpty()) {
                            out.println(USAGE);
                            return 1;
                        }
                        if (flag == 'D') {
                            home = value;
                        } else if (flag == 'T') {
                            token = value;
                        } else {
                            host = value;
                        }
                    }
                    case 'p' -> {
                        try {
                            port = Integer.parseInt(value);
                        } catch (NumberFormatException e) {
                            port = 0;
                        }
                        if (port <= 0 || port > 65535) {
                            out.println(USAGE);
                            return 1;
                        }
                    }
                    default -> {
                        out.println(USAGE);
                        return 0;
                    }
                }
            } else if (positional.size() < 3) {
                positional.add(a);
                everyPositional.add(a);
            } else {
                positional.set(2, a); // Q11: later arguments overwrite the third
                everyPositional.add(a);
            }
        }
        if (positional.isEmpty()) {
            err.println(USAGE);
            return 0;
        }
        if (home == null) {
            home = env.getOrDefault("ZEROTIER_HOME", DEFAULT_HOME);
        }
        Path homeDir = Path.of(home);
        if (port == 0) {
            port = readPort(homeDir.resolve("zerotier-one.port"));
            if (port <= 0 || port > 65535) {
                err.println("zerokube cli: missing port and zerotier-one.port not found in " + home);
                return 2;
            }
        }
        if (token == null) {
            token = readToken(homeDir.resolve("authtoken.secret"));
            if (token == null) {
                err.println("zerokube cli: authtoken.secret not found or readable in " + home + " (try again as root)");
                return 2;
            }
        }
        String base = "http://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
        Api api = new Api(base, token);
        String command = positional.get(0);
        String arg1 = positional.size() > 1 ? positional.get(1) : null;
        String arg2 = positional.size() > 2 ? positional.get(2) : null;
        return switch (command) {
            case "info", "status" -> query(api, "/status", "info", json, out, body -> {
                if (body.isObject()) {
                    String state = body.path("tcpFallbackActive").asBoolean() ? "TUNNELED"
                            : body.path("online").asBoolean() ? "ONLINE" : "OFFLINE";
                    out.print("200 info " + body.path("address").asText() + " " + body.path("version").asText() + " "
                            + state + "\n");
                }
            });
            case "listpeers" -> query(api, "/peer", "listpeers", json, out, body -> listPeers(body, out));
            case "peers" -> query(api, "/peer", "peers", json, out, body -> peers(body, out));
            case "listnetworks" -> query(api, "/network", "listnetworks", json, out, body -> listNetworks(body, out));
            case "listmoons" -> query(api, "/moon", "listmoons", true, out, body -> { });
            case "join", "leave" -> {
                if (arg1 == null || arg1.length() != 16) {
                    out.print("invalid network id\n");
                    yield 2;
                }
                Reply r = command.equals("join") ? api.send("POST", "/network/" + arg1, "{}")
                        : api.send("DELETE", "/network/" + arg1, null);
                yield action(r, command, json, out);
            }
            case "orbit" -> { // 1.14.1 prints "200 orbit OK" with or without -j
                if (arg1 == null || arg2 == null) {
                    err.println(USAGE);
                    yield 1;
                }
                Reply r = api.send("POST", "/moon/" + arg1,
                        JSON.createObjectNode().put("seed", arg2).toString());
                yield action(r, command, false, out);
            }
            case "deorbit" -> {
                if (arg1 == null) {
                    err.println(USAGE);
                    yield 1;
                }
                yield action(api.send("DELETE", "/moon/" + arg1, null), command, json, out);
            }
            case "echo" -> echo(api, everyPositional.subList(1, everyPositional.size()), json, out, err);
            case "set" -> set(api, arg1, arg2, out, err);
            case "get" -> get(api, arg1, arg2, out, err);
            default -> {
                if (command.startsWith("/")) {
                    Reply r = api.send("GET", command, null);
                    if (r.status() == 200) {
                        out.print(r.body());
                        yield 0;
                    }
                    out.print(r.status() + " " + command + " " + r.body() + "\n");
                    yield 1;
                }
                err.println(USAGE);
                yield 0;
            }
        };
    }

    /**
     * zerokube's own {@code echo <address> [<payload hex>|-] [<count> [<interval ms>]]}: ECHOs with
     * a chosen payload through {@code POST /zerokube/echo/<address>} (the lab's ECHO, ZT1-11
     * IOP-11b), one line per answer that carried the payload back. Exit 0 when at least one did.
     */
    private static int echo(Api api, List<String> args, boolean json, PrintStream out, PrintStream err) {
        if (args.isEmpty() || args.size() > 4 || !args.getFirst().matches("[0-9a-fA-F]{10}")) {
            err.println("usage: zerokube cli echo <10-digit address> [<payload hex>|-] [<count> [<interval ms>]]");
            return 1;
        }
        var request = JSON.createObjectNode();
        if (args.size() > 1 && !args.get(1).equals("-")) {
            request.put("payload", args.get(1));
        }
        try {
            if (args.size() > 2) {
                request.put("count", Integer.parseInt(args.get(2)));
            }
            if (args.size() > 3) {
                request.put("intervalMs", Long.parseLong(args.get(3)));
            }
        } catch (NumberFormatException e) {
            err.println("echo: count and interval must be whole numbers");
            return 1;
        }
        Reply r = api.send("POST", "/zerokube/echo/" + args.getFirst(), request.toString());
        if (r.status() != 200) {
            out.print(r.status() + " echo " + r.body() + "\n");
            return 1;
        }
        JsonNode body;
        try {
            body = JSON.readTree(r.body());
        } catch (IOException e) {
            out.print("200 echo invalid JSON response\n");
            return 1;
        }
        JsonNode answers = body.path("answers");
        if (json) {
            out.print(PrettyJson.of(body) + "\n");
        } else {
            out.print("200 echo " + body.path("address").asText() + " " + body.path("payload").asText().length() / 2
                    + "-byte payload: " + body.path("sent").asInt() + " sent, " + answers.size() + " answered\n");
            for (JsonNode a : answers) {
                int hops = a.path("hops").asInt();
                out.print("answer after " + a.path("afterMs").asText() + " ms, "
                        + (hops == 0 ? "direct" : "relayed (" + hops + " hops)") + "\n");
            }
        }
        return answers.isEmpty() ? 1 : 0;
    }

    private interface Printer {
        void print(JsonNode body);
    }

    /** ZT1-10 §3.4's query commands: connection error, JSON parse, status, then text or pretty JSON. */
    private static int query(Api api, String path, String command, boolean json, PrintStream out, Printer text) {
        Reply r = api.send("GET", path, null);
        if (r.status() == 0) {
            out.print("Error connecting to the ZeroTier service: " + r.body() + "\n\n" + CONNECT_HINT + "\n");
            return 1;
        }
        JsonNode body;
        try {
            body = JSON.readTree(r.body());
            if (body == null) {
                throw new IOException("empty response");
            }
        } catch (IOException e) {
            out.print(r.status() + " " + command + " invalid JSON response (" + e.getMessage().lines().findFirst().orElse("")
                    + ")\n");
            return 1;
        }
        if (r.status() != 200) {
            out.print(r.status() + " " + command + " " + r.body() + "\n");
            return 1;
        }
        if (json) {
            out.print(PrettyJson.of(body) + "\n");
        } else {
            text.print(body);
        }
        return 0;
    }

    private static int action(Reply r, String command, boolean json, PrintStream out) {
        if (r.status() == 0) {
            out.print("0 " + command + " connection failed\n");
            return 1;
        }
        if (r.status() != 200) {
            out.print(r.status() + " " + command + " " + r.body() + "\n");
            return 1;
        }
        out.print(json ? r.body() : "200 " + command + " OK\n");
        return 0;
    }

    private static void listPeers(JsonNode peers, PrintStream out) {
        out.print("200 listpeers <ztaddr> <path> <latency> <version> <role>\n");
        long now = System.currentTimeMillis();
        for (JsonNode p : peers) {
            JsonNode preferred = preferredPath(p);
            String path = "-";
            if (preferred != null) {
                path = preferred.path("address").asText() + ";" + age(now, preferred.path("lastSend").asLong()) + ";"
                        + age(now, preferred.path("lastReceive").asLong());
            }
            String version = p.path("versionMajor").asInt(-1) < 0 ? "-"
                    : p.path("versionMajor").asInt() + "." + p.path("versionMinor").asInt() + "." + p.path("versionRev").asInt();
            out.print("200 listpeers " + p.path("address").asText() + " " + path + " " + p.path("latency").asLong() + " "
                    + version + " " + p.path("role").asText() + "\n");
        }
    }

    private static void peers(JsonNode peers, PrintStream out) {
        out.print("200 peers\n<ztaddr>   <ver>  <role> <lat> <link>   <lastTX> <lastRX> <path>\n");
        long now = System.currentTimeMillis();
        boolean tunneled = false;
        for (JsonNode p : peers) {
            JsonNode preferred = preferredPath(p);
            boolean tun = p.path("tunneled").asBoolean();
            tunneled |= tun;
            String version = p.path("versionMajor").asInt(-1) < 0 ? "-" : p.path("version").asText();
            String link = "RELAY";
            if (preferred != null) {
                link = (tun ? "RELAY " : "DIRECT   ") + String.format("%-8s %-8s %s",
                        age(now, preferred.path("lastSend").asLong()), age(now, preferred.path("lastReceive").asLong()),
                        preferred.path("address").asText());
            }
            out.print(String.format("%s %-6s %-6s %5d %s\n", p.path("address").asText(), version,
                    p.path("role").asText(), p.path("latency").asLong(), link));
        }
        if (tunneled) {
            out.print("NOTE: Currently tunneling through a TCP relay. Ensure that UDP is not blocked.\n");
        }
    }

    private static void listNetworks(JsonNode networks, PrintStream out) {
        out.print("200 listnetworks <nwid> <name> <mac> <status> <type> <dev> <ZT assigned ips>\n");
        for (JsonNode n : networks) {
            List<String> ips = new ArrayList<>();
            n.path("assignedAddresses").forEach(a -> ips.add(a.asText()));
            out.print("200 listnetworks " + n.path("nwid").asText() + " " + n.path("name").asText() + " "
                    + n.path("mac").asText() + " " + n.path("status").asText() + " " + n.path("type").asText() + " "
                    + n.path("portDeviceName").asText() + " " + (ips.isEmpty() ? "-" : String.join(",", ips)) + "\n");
        }
    }

    private static JsonNode preferredPath(JsonNode peer) {
        for (JsonNode path : peer.path("paths")) {
            if (path.path("preferred").asBoolean()) {
                return path;
            }
        }
        return null;
    }

    private static long age(long now, long ts) {
        return ts == 0 ? -1 : now - ts;
    }

    private static int set(Api api, String nwid, String assignment, PrintStream out, PrintStream err) {
        if (nwid == null || nwid.length() != 16) {
            err.println("invalid format: must be a 16-digit (network) ID");
            return 2;
        }
        if (assignment == null) {
            err.println("invalid format: include a property name to set");
            return 2;
        }
        int eq = assignment.indexOf('=');
        if (eq < 0) {
            err.println(USAGE);
            return 2;
        }
        String key = assignment.substring(0, eq);
        if (!List.of("allowManaged", "allowGlobal", "allowDefault", "allowDNS").contains(key)) {
            return 0; // Q12: nothing printed, exit 0
        }
        boolean value = assignment.startsWith("=t", eq) || assignment.startsWith("=1", eq);
        Reply r = api.send("POST", "/network/" + nwid, "{\"" + key + "\":" + value + "}");
        if (r.status() != 200) {
            out.print(r.status() + " set " + r.body() + "\n");
            return 1;
        }
        out.print(r.body());
        return 0;
    }

    private static int get(Api api, String nwid, String property, PrintStream out, PrintStream err) {
        if (nwid == null || nwid.length() != 16) {
            err.println("invalid format: must be a 16-digit (network) ID");
            return 2;
        }
        if (property == null) {
            err.println("invalid format: include a property name to get");
            return 2;
        }
        Reply r = api.send("GET", "/network", null);
        if (r.status() == 0) {
            out.print("Error connecting to the ZeroTier service: " + r.body() + "\n\n" + CONNECT_HINT + "\n");
            return 1;
        }
        if (r.status() != 200) {
            out.print(r.status() + " get " + r.body() + "\n");
            return 1;
        }
        JsonNode networks;
        try {
            networks = JSON.readTree(r.body());
        } catch (IOException e) {
            out.print("200 get invalid JSON response\n");
            return 1;
        }
        for (JsonNode n : networks) {
            if (!n.path("id").asText().equals(nwid)) {
                continue;
            }
            if (List.of("ip", "ip4", "ip6", "ip6plane", "ip6prefix").contains(property)) {
                StringBuilder b = new StringBuilder();
                int k = 0;
                for (JsonNode a : n.path("assignedAddresses")) {
                    if (k++ >= 32) {
                        break;
                    }
                    String ip = a.asText();
                    String bare = ip.contains("/") ? ip.substring(0, ip.indexOf('/')) : ip;
                    String shown = switch (property) {
                        case "ip" -> bare;
                        case "ip4" -> ip.contains(".") ? bare : null;
                        case "ip6" -> ip.contains(":") ? bare : null;
                        case "ip6plane" -> ip.contains(":") && ip.startsWith("fc") ? bare : null;
                        default -> ip.contains(":") && ip.startsWith("fc") ? ip.substring(0, Math.min(24, ip.length())) : null;
                    };
                    if (shown != null) {
                        if (!b.isEmpty()) {
                            b.append('\n');
                        }
                        b.append(shown);
                    }
                }
                out.print(b + "\n");
                return 0;
            }
            JsonNode v = n.get(property);
            if (v == null || v.isContainerNode() || v.isNull()) {
                out.print("error, unknown property name\n");
            } else if (v.isBoolean()) {
                out.print((v.asBoolean() ? "1" : "0") + "\n");
            } else if (v.isIntegralNumber()) {
                out.print(Long.toUnsignedString(v.asLong()) + "\n");
            } else {
                out.print(v.asText() + "\n");
            }
            return 0;
        }
        err.println("unknown network ID, check that you are a member of the network");
        return 0;
    }

    private static int readPort(Path file) {
        try {
            String s = Files.readString(file, StandardCharsets.US_ASCII);
            int end = 0;
            while (end < s.length() && end < 6 && Character.isDigit(s.charAt(end))) {
                end++;
            }
            return end == 0 ? 0 : Integer.parseInt(s.substring(0, end));
        } catch (IOException e) {
            return 0;
        }
    }

    private static String readToken(Path file) {
        try {
            String t = Files.readString(file, StandardCharsets.UTF_8).strip();
            return t.isEmpty() ? null : t;
        } catch (IOException e) {
            return null;
        }
    }

    /** The local API over HTTP; failures to connect come back as status 0 with the reason. */
    private final class Api {
        private final String base;
        private final String token;

        Api(String base, String token) {
            this.base = base;
            this.token = token;
        }

        Reply send(String method, String path, String body) {
            try {
                HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(60))
                        .header("X-ZT1-Auth", token);
                if (body != null) {
                    b.header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofString(body));
                } else {
                    b.method(method, HttpRequest.BodyPublishers.noBody());
                }
                HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
                return new Reply(r.statusCode(), r.body());
            } catch (java.net.ConnectException e) {
                return new Reply(0, "connection failed");
            } catch (java.net.http.HttpTimeoutException e) {
                return new Reply(0, "timed out");
            } catch (IOException | IllegalArgumentException e) {
                return new Reply(0, String.valueOf(e.getMessage()));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return new Reply(0, "interrupted");
            }
        }
    }

    /**
     * nlohmann's {@code dump(1)}, which {@code zerotier-cli -j} prints: one space per level,
     * {@code ": "} after keys, keys in the order received, {@code []}/{@code {}} when empty.
     */
    static final class PrettyJson {
        private PrettyJson() {}

        static String of(JsonNode n) {
            StringBuilder b = new StringBuilder();
            write(n, 0, b);
            return b.toString();
        }

        private static void write(JsonNode n, int level, StringBuilder b) {
            if (n.isObject()) {
                if (n.isEmpty()) {
                    b.append("{}");
                    return;
                }
                b.append("{\n");
                Iterator<Map.Entry<String, JsonNode>> it = n.fields();
                while (it.hasNext()) {
                    Map.Entry<String, JsonNode> e = it.next();
                    b.append(" ".repeat(level + 1)).append(quote(e.getKey())).append(": ");
                    write(e.getValue(), level + 1, b);
                    b.append(it.hasNext() ? ",\n" : "\n");
                }
                b.append(" ".repeat(level)).append('}');
            } else if (n.isArray()) {
                if (n.isEmpty()) {
                    b.append("[]");
                    return;
                }
                b.append("[\n");
                for (int i = 0; i < n.size(); i++) {
                    b.append(" ".repeat(level + 1));
                    write(n.get(i), level + 1, b);
                    b.append(i + 1 < n.size() ? ",\n" : "\n");
                }
                b.append(" ".repeat(level)).append(']');
            } else {
                b.append(n.toString());
            }
        }

        private static String quote(String s) {
            return JSON.getNodeFactory().textNode(s).toString();
        }
    }
}
