package dev.zerokube.sidecar.inspect;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.zerokube.overlay.identity.Identity;
import dev.zerokube.overlay.wire.inspect.DatagramRecord;
import dev.zerokube.overlay.wire.inspect.Dissector;
import dev.zerokube.sidecar.Command;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

/**
 * {@code zerokube inspect [-j] --home DIR... CAPTURE}: "tcpdump for ZeroTier". Reads a capture in
 * the JSON Lines format of the capture vectors (one datagram per line; only {@code t}, {@code src},
 * {@code dst} and {@code hex} are read) and prints one line per datagram as the
 * {@link Dissector} sees it, decrypted with the identities of the given node homes: text by
 * default ({@link TextFormat}), or with {@code -j} JSON lines whose field names are the capture's
 * annotation names ({@link JsonFormat}).
 *
 * <p>A home is a ZeroTier home directory: its identity.secret and identity.public are used (at least
 * one must be there). A capture line that cannot be read (bad JSON, a missing field, bad hex) is
 * reported on stderr with its line number and skipped; the exit code is then 1, after all other
 * lines were printed. Setup errors (no home, unreadable identity, missing capture) print one line
 * and exit 1 before anything else. CAPTURE {@code -} reads standard input.
 */
public final class InspectCommand implements Command {
    private static final String USAGE = "usage: zerokube inspect [-j] --home DIR [--home DIR]... CAPTURE";
    private static final ObjectMapper JSON = new ObjectMapper();

    /** A setup problem: reported as one line, exit 1. */
    private static final class UsageException extends Exception {
        private static final long serialVersionUID = 1L;

        UsageException(String message) {
            super(message, null, false, false);
        }
    }

    @Override
    public int run(List<String> args, PrintStream out, PrintStream err) {
        boolean json = false;
        List<Path> homes = new ArrayList<>();
        String capture = null;
        try {
            for (int i = 0; i < args.size(); i++) {
                String a = args.get(i);
                if (a.equals("-j") || a.equals("--json")) {
                    json = true;
                } else if (a.equals("--home")) {
                    if (i + 1 >= args.size()) {
                        throw new UsageException("--home needs a directory");
                    }
                    homes.add(Path.of(args.get(++i)));
                } else if (a.startsWith("--home=")) {
                    homes.add(Path.of(a.substring("--home=".length())));
                } else if (a.equals("-h") || a.equals("--help")) {
                    out.println(USAGE);
                    return 0;
                } else if (a.startsWith("-") && !a.equals("-")) {
                    throw new UsageException("unknown option " + a);
                } else if (capture != null) {
                    throw new UsageException("one capture file only (got " + capture + " and " + a + ")");
                } else {
                    capture = a;
                }
            }
            if (homes.isEmpty()) {
                throw new UsageException("at least one --home DIR is needed (a node home with identity.secret)");
            }
            if (capture == null) {
                throw new UsageException("no capture file given");
            }
            Dissector dissector = new Dissector();
            for (Path home : homes) {
                for (Identity id : HomeIdentities.load(home)) {
                    dissector.addIdentity(id);
                }
            }
            return dissect(dissector, capture, json, out, err);
        } catch (UsageException e) {
            err.println("zerokube inspect: " + e.getMessage());
            err.println(USAGE);
            return 1;
        } catch (HomeIdentities.BadHomeException e) {
            err.println("zerokube inspect: " + e.getMessage());
            return 1;
        }
    }

    private static int dissect(Dissector dissector, String capture, boolean json, PrintStream out, PrintStream err) {
        RecordPrinter printer = json ? new JsonFormat(out) : new TextFormat(out);
        int bad = 0;
        try (BufferedReader in = open(capture)) {
            String line;
            long index = 0;
            while ((line = in.readLine()) != null) {
                long lineIndex = index++;
                if (line.isBlank()) {
                    continue;
                }
                Optional<CaptureLine> c = CaptureLine.parse(line, err, capture + ":" + (lineIndex + 1));
                if (c.isEmpty()) {
                    bad++;
                    continue;
                }
                printer.print(dissector.onDatagram(lineIndex, c.get().timeUs(), c.get().src(), c.get().dst(), c.get().bytes()));
            }
        } catch (IOException | UncheckedIOException e) {
            printer.print(dissector.finish());
            err.println("zerokube inspect: cannot read " + capture + ": " + e.getMessage());
            return 1;
        }
        printer.print(dissector.finish());
        if (bad > 0) {
            err.println("zerokube inspect: " + bad + " line(s) of " + capture + " could not be read");
            return 1;
        }
        return 0;
    }

    private static BufferedReader open(String capture) throws IOException {
        if (capture.equals("-")) {
            return new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        }
        return Files.newBufferedReader(Path.of(capture), StandardCharsets.UTF_8);
    }

    /** The fields of a capture line the dissector needs. */
    record CaptureLine(long timeUs, String src, String dst, byte[] bytes) {
        /** Reads one line; on a problem prints it (prefixed with {@code where}) and returns empty. */
        static Optional<CaptureLine> parse(String line, PrintStream err, String where) {
            JsonNode n;
            try {
                n = JSON.readTree(line);
            } catch (JsonProcessingException e) {
                err.println(where + ": not a JSON object: " + e.getOriginalMessage());
                return Optional.empty();
            }
            if (n == null || !n.isObject()) {
                err.println(where + ": not a JSON object");
                return Optional.empty();
            }
            JsonNode t = n.get("t");
            if (t == null || !t.isNumber()) {
                err.println(where + ": field 't' (seconds) missing or not a number");
                return Optional.empty();
            }
            long timeUs;
            try {
                timeUs = t.decimalValue().movePointRight(6).setScale(0, RoundingMode.HALF_EVEN).longValueExact();
            } catch (ArithmeticException e) {
                err.println(where + ": field 't' out of range: " + t);
                return Optional.empty();
            }
            for (String f : new String[] {"src", "dst", "hex"}) {
                if (!n.path(f).isTextual()) {
                    err.println(where + ": field '" + f + "' missing or not a string");
                    return Optional.empty();
                }
            }
            byte[] bytes;
            try {
                bytes = HexFormat.of().parseHex(n.get("hex").asText());
            } catch (IllegalArgumentException e) {
                err.println(where + ": field 'hex' is not hex: " + e.getMessage());
                return Optional.empty();
            }
            return Optional.of(new CaptureLine(timeUs, n.get("src").asText(), n.get("dst").asText(), bytes));
        }
    }

    /** Seconds with microseconds, as the capture writes them (no trailing zeros). */
    static BigDecimal seconds(long timeUs) {
        BigDecimal s = BigDecimal.valueOf(timeUs, 6).stripTrailingZeros();
        return s.scale() < 1 ? s.setScale(1) : s;
    }

    /** Prints records as they come out of the dissector. */
    interface RecordPrinter {
        void print(List<DatagramRecord> records);
    }
}
