package dev.zerokube.sidecar.controller;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Goal: {@code zerokube controller} makes a usable home (identity, a 0600 token without newline),
 * serves the API with that token, and keeps its records across restarts. Method: start it in-process
 * on ephemeral loopback ports, talk HTTP to it, stop and start again on the same home.
 */
class ControllerCommandTest {
    @TempDir
    Path home;

    ControllerCommand.Running start(ByteArrayOutputStream out, ByteArrayOutputStream err) throws Exception {
        ControllerCommand.Options o = ControllerCommand.parse(List.of("--home", home.toString(), "--api-port", "0",
                "--api-bind", "127.0.0.1"), new PrintStream(err)).orElseThrow();
        return ControllerCommand.start(o, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err));
    }

    @Test
    void servesTheApiFromItsHomeAndKeepsRecords() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        String address;
        HttpClient http = HttpClient.newHttpClient();
        try (ControllerCommand.Running c = start(out, err)) {
            address = c.identity().address().toString();
            String token = Files.readString(home.resolve("authtoken.secret"));
            assertEquals(24, token.length(), "no newline: " + token);
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(home.resolve("authtoken.secret"))));
            assertTrue(Files.exists(home.resolve("identity.secret")));
            URI base = URI.create("http://127.0.0.1:" + c.apiAddress().getPort());
            HttpResponse<String> created = http.send(HttpRequest.newBuilder(base.resolve("/controller/network/" + address + "______"))
                    .header("X-ZT1-Auth", token).POST(HttpRequest.BodyPublishers.ofString("{\"name\":\"n\"}")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, created.statusCode(), created.body());
            HttpResponse<String> denied = http.send(HttpRequest.newBuilder(base.resolve("/controller/network")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(401, denied.statusCode());
            assertTrue(out.toString(StandardCharsets.UTF_8).contains("zerokube controller " + address), out.toString());
        }
        try (ControllerCommand.Running c = start(out, err)) {
            assertEquals(address, c.identity().address().toString(), "same identity after restart");
            assertEquals(1, c.store().networkCount());
        }
        assertFalse(err.toString(StandardCharsets.UTF_8).contains("WARNING"), err.toString());
    }

    @Test
    void existingTokenIsTrimmedAndKept() throws Exception {
        Path file = home.resolve("authtoken.secret");
        Files.writeString(file, "  mytoken\n");
        assertEquals("mytoken", ControllerCommand.token(file, new SecureRandom()));
        assertEquals("  mytoken\n", Files.readString(file));
    }

    @Test
    void badArgumentsFailWithUsage() {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        assertTrue(ControllerCommand.parse(List.of("--port", "99999", "--home", "x"), new PrintStream(err)).isEmpty());
        assertTrue(err.toString().contains("--port must be a port number"), err.toString());
        assertTrue(ControllerCommand.parse(List.of("--api-port", "1"), new PrintStream(err)).isEmpty());
        assertTrue(ControllerCommand.parse(List.of("--home"), new PrintStream(err)).isEmpty());
        assertEquals(InetAddress.getLoopbackAddress().getHostAddress(), "127.0.0.1");
    }
}
