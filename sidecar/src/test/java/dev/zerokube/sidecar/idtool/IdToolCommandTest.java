package dev.zerokube.sidecar.idtool;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.zerokube.overlay.identity.Identity;
import dev.zerokube.overlay.testing.Vectors;
import dev.zerokube.sidecar.Main;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * Goal: {@code zerokube idtool} behaves as zerotier-idtool 1.14.1: same output lines, streams and
 * exit codes. Method: run the command in-process through {@link Main#run} on temp files, over every
 * line of identities.jsonl ({@code idtool_validate}, and getpublic against {@code to_string_public})
 * and signatures.jsonl ({@code idtool_verify}, and sign against {@code signature}); then generate
 * round trips and bad input (one line on stderr, exit 1, no stack trace).
 */
class IdToolCommandTest {
    @TempDir
    Path tmp;

    /** What a run printed and returned. */
    record Result(int code, String out, String err) {
        /** The one line idtool printed: stdout on success, stderr on failure, the other stream empty. */
        void assertLine(int expectedCode, String expectedLine) {
            assertEquals(expectedCode, code, "exit code; out=" + out + " err=" + err);
            String expected = expectedLine + System.lineSeparator();
            if (expectedCode == 0) {
                assertEquals(expected, out, "stdout");
                assertEquals("", err, "stderr");
            } else {
                assertEquals(expected, err, "stderr");
                assertEquals("", out, "stdout");
            }
        }
    }

    static Result run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code;
        try (PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
                PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
            code = Main.run(args, o, e);
        }
        return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    static Result runWith(IdToolCommand command, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code;
        try (PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
                PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
            code = command.run(List.of(args), o, e);
        }
        return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private Path write(String name, byte[] bytes) throws IOException {
        Path p = tmp.resolve(name);
        Files.write(p, bytes);
        return p;
    }

    private Path write(String name, String text) throws IOException {
        return write(name, text.getBytes(StandardCharsets.ISO_8859_1));
    }

    @TestFactory
    Stream<DynamicTest> validateAndGetpublicOverIdentities() {
        Map<String, Integer> counts = Map.of("valid_generated", 20, "valid_public_form", 3, "edge", 5, "invalid", 21);
        var handler = (org.junit.jupiter.api.function.ThrowingConsumer<JsonNode>) line -> {
            Path file = write(line.get("label").asText() + ".id", line.get("identity").asText());
            JsonNode expected = line.get("idtool_validate");
            run("idtool", "validate", file.toString()).assertLine(expected.get("exit_code").asInt(),
                    expected.get("output").asText().replace("<file>", file.toString()));
            Result pub = run("idtool", "getpublic", file.toString());
            if (line.get("parse_ok").asBoolean()) {
                assertEquals(0, pub.code(), pub.err());
                assertEquals(line.get("to_string_public").asText(), pub.out(), "getpublic prints no newline");
                assertEquals("", pub.err());
            } else {
                pub.assertLine(1, "Identity argument invalid or file unreadable: " + file);
            }
        };
        return Vectors.each("identities.jsonl", "category", Map.of("valid_generated", handler,
                "valid_public_form", handler, "edge", handler, "invalid", handler), counts);
    }

    @TestFactory
    Stream<DynamicTest> verifyAndSignOverSignatures() {
        return Vectors.each("signatures.jsonl", null, Map.of("", line -> {
            String label = line.get("label").asText().replace('/', '_');
            Path id = write(label + ".public", line.get("identity_public").asText());
            Path msg = write(label + ".msg", Vectors.hex(line, "message_hex"));
            JsonNode expected = line.get("idtool_verify");
            run("idtool", "verify", id.toString(), msg.toString(), line.get("signature").asText())
                    .assertLine(expected.get("exit_code").asInt(),
                            expected.get("output").asText().replace("<msgfile>", msg.toString()));
            if (line.has("identity_secret")) {
                Path secret = write(label + ".secret", line.get("identity_secret").asText());
                Result sig = run("idtool", "sign", secret.toString(), msg.toString());
                assertEquals(0, sig.code(), sig.err());
                assertEquals(line.get("signature").asText(), sig.out(), "sign prints the hex, no newline");
                assertEquals("", sig.err());
            }
        }), null);
    }

    @Test
    void verifyTakesAnIdentityLiteralAndASignatureFile() throws IOException {
        JsonNode line = Vectors.read("signatures.jsonl").stream()
                .filter(l -> l.has("identity_secret") && l.get("message_length").asInt() > 0).findFirst().orElseThrow();
        Path msg = write("m", Vectors.hex(line, "message_hex"));
        // Upper case hex and a trailing newline in a file, as a script would write it.
        Path sigFile = write("sig", line.get("signature").asText().toUpperCase() + "\n");
        run("idtool", "verify", line.get("identity_public").asText(), msg.toString(), sigFile.toString())
                .assertLine(0, msg + " signature valid");
        Path garbage = write("garbage", "zz" + line.get("signature").asText().substring(2));
        run("idtool", "verify", line.get("identity_public").asText(), msg.toString(), garbage.toString())
                .assertLine(1, msg + " signature check FAILED");
        run("idtool", "verify", line.get("identity_public").asText(), msg.toString(), "abc")
                .assertLine(1, msg + " signature check FAILED");
    }

    @Test
    void generateToStdoutGivesAValidSecretIdentity() throws Exception {
        Result r = run("idtool", "generate");
        assertEquals(0, r.code(), r.err());
        assertEquals("", r.err());
        assertFalse(r.out().endsWith("\n"), "printed without a newline, as idtool does");
        Identity id = Identity.parse(r.out());
        assertTrue(id.hasPrivate());
        assertTrue(id.locallyValidate());
    }

    @Test
    void generateWritesSecretAndPublicFilesThatTheOtherCommandsRead() throws Exception {
        Path secret = tmp.resolve("identity.secret");
        Path pub = tmp.resolve("identity.public");
        Result r = runWith(new IdToolCommand(new SplittableRandom(7)), "generate", secret.toString(), pub.toString());
        assertEquals(0, r.code(), r.err());
        String nl = System.lineSeparator();
        assertEquals(secret + " written" + nl + pub + " written" + nl, r.out());
        String secretText = Files.readString(secret, StandardCharsets.ISO_8859_1);
        String publicText = Files.readString(pub, StandardCharsets.ISO_8859_1);
        assertEquals(Identity.parse(secretText).toString(false), publicText);
        assertEquals(publicText, run("idtool", "getpublic", secret.toString()).out());
        run("idtool", "validate", secret.toString()).assertLine(0, secret + " is a valid identity");
        run("idtool", "validate", pub.toString()).assertLine(0, pub + " is a valid identity");

        Path msg = write("msg", "hello zerokube");
        Result sig = run("idtool", "sign", secret.toString(), msg.toString());
        assertEquals(0, sig.code(), sig.err());
        assertEquals(192, sig.out().length());
        run("idtool", "verify", pub.toString(), msg.toString(), sig.out()).assertLine(0, msg + " signature valid");
        char[] flipped = sig.out().toCharArray();
        flipped[100] = flipped[100] == '0' ? '1' : '0';
        run("idtool", "verify", pub.toString(), msg.toString(), new String(flipped))
                .assertLine(1, msg + " signature check FAILED");
        run("idtool", "sign", pub.toString(), msg.toString())
                .assertLine(1, pub + " does not contain a private key (must use private to sign)");
    }

    @Test
    void generateWithAVanityPrefixReportsItsSearch() throws Exception {
        Path secret = tmp.resolve("v.secret");
        Result r = runWith(new IdToolCommand(new SplittableRandom(11)), "generate", secret.toString(), tmp.resolve("v.public").toString(), "a");
        assertEquals(0, r.code(), r.err());
        Identity id = Identity.parse(Files.readString(secret, StandardCharsets.ISO_8859_1));
        String address = String.format("%010x", id.address().value());
        assertTrue(address.startsWith("a"), address);
        List<String> lines = r.err().lines().toList();
        assertEquals("vanity address: found " + address + " !", lines.getLast());
        for (String tried : lines.subList(0, lines.size() - 1)) {
            assertTrue(tried.matches("vanity address: tried [0-9a-f]{10} looking for first 4 bits of a000000000"), tried);
        }
    }

    @Test
    void badInputGivesOneLineOnStderrAndExitOne() throws IOException {
        String missing = tmp.resolve("missing").toString();
        run("idtool", "validate", missing).assertLine(1, "Identity argument invalid or file unreadable: " + missing);
        run("idtool", "getpublic", missing).assertLine(1, "Identity argument invalid or file unreadable: " + missing);
        run("idtool", "sign", missing, missing).assertLine(1, "Identity argument invalid or file unreadable: " + missing);
        Path secret = write("s", Vectors.read("identities.jsonl").getFirst().get("identity").asText());
        run("idtool", "sign", secret.toString(), missing).assertLine(1, missing + " is not readable");
        run("idtool", "verify", secret.toString(), missing, "00").assertLine(1, missing + " is not readable");
        run("idtool", "validate", tmp.toString()).assertLine(1, "Identity argument invalid or file unreadable: " + tmp);
        run("idtool", "validate").assertLine(1, "usage: zerokube idtool validate <identity.secret/public>");
        run("idtool", "sign", secret.toString()).assertLine(1, "usage: zerokube idtool sign <identity.secret> <file>");
        run("idtool", "validate", secret.toString(), "extra")
                .assertLine(1, "usage: zerokube idtool validate <identity.secret/public>");
        run("idtool", "generate", "a", "b", "c", "d")
                .assertLine(1, "usage: zerokube idtool generate [<identity.secret>] [<identity.public>] [<vanity>]");
        Result none = run("idtool");
        assertEquals(1, none.code());
        assertTrue(none.out().contains("verify <identity.secret/public> <file> <signature>"), none.out());
        Result unknown = run("idtool", "frobnicate");
        assertEquals(1, unknown.code());
        assertTrue(unknown.err().startsWith("zerokube idtool: unknown command 'frobnicate'"), unknown.err());
        Path unwritable = tmp.resolve("no/such/dir/identity.secret");
        run("idtool", "generate", unwritable.toString()).assertLine(1, "Error writing to " + unwritable);
    }

    @Test
    void lenientHexReadsAsIdtoolDoes() {
        assertEquals("ab00", Vectors.hex(IdToolCommand.lenientHex("AB0g1".getBytes(StandardCharsets.US_ASCII))));
        assertEquals(1, IdToolCommand.lenientHex("ab0".getBytes(StandardCharsets.US_ASCII)).length);
        assertEquals("ab", Vectors.hex(IdToolCommand.lenientHex(new byte[] {'a', 'b', 0, 'c', 'd'})));
        assertEquals(4096, IdToolCommand.lenientHex("00".repeat(5000).getBytes(StandardCharsets.US_ASCII)).length);
    }

    @Test
    void vanityParsesAsStrtoull() {
        assertEquals(new Vanity(0xab, 8), Vanity.parse("ab"));
        assertEquals(new Vanity(0x12, 16), Vanity.parse("0x12"));
        assertEquals(new Vanity(0x1, 12), Vanity.parse("1zz"));
        assertEquals(new Vanity(0xff_ffff_ffffL, 40), Vanity.parse("123456789abcdef0123"));
        assertTrue(new Vanity(0xab, 8).matches(0xab_1234_5678L));
        assertFalse(new Vanity(0xab, 8).matches(0xac_1234_5678L));
        assertTrue(Vanity.NONE.matches(0x12_3456_789aL));
    }
}
