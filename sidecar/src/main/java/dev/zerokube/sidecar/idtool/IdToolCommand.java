package dev.zerokube.sidecar.idtool;

import dev.zerokube.overlay.identity.Identity;
import dev.zerokube.overlay.runtime.JsonText;
import dev.zerokube.overlay.wire.World;
import dev.zerokube.sidecar.Command;
import dev.zerokube.sidecar.IdentityFiles;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.function.LongSupplier;
import java.util.random.RandomGenerator;

/**
 * {@code zerokube idtool}: ZeroTier One 1.14.1's {@code zerotier-idtool} for identities and
 * signatures, with the same arguments, file formats, output lines and exit codes (0 ok, 1 failure),
 * so scripts written for it work unchanged.
 *
 * <p>Compatibility details kept on purpose (scripts and the vectors depend on them):
 * <ul>
 *   <li>an identity argument longer than 32 characters with ':' at index 10 is an identity literal,
 *       anything else a file name; a file is read whole and parsed up to its first NUL byte;</li>
 *   <li>{@code generate} to stdout, {@code getpublic} and {@code sign} print without a final
 *       newline, and identity files are written without one;</li>
 *   <li>{@code verify} reads the signature leniently as idtool does (a non-hex digit counts as 0, an
 *       odd last digit is dropped, at most 4096 bytes) and, if that does not verify, tries the
 *       argument as the name of a file holding the hex.</li>
 * </ul>
 * One deliberate difference: a missing or extra argument prints one line on stderr (not the full
 * help on stdout); the exit code is 1 either way.
 *
 * <p>Worlds ({@link WorldTool}): {@code initmoon}/{@code genmoon} as idtool's; {@code genmoon} takes an
 * optional output directory. Planets, which ZeroTier makes with a separate, hand-edited
 * {@code mkworld} program, are made here from the same JSON with {@code worldType: "planet"}:
 * {@code initplanet <root identity.public>...} prints the template, {@code genplanet <planet.json>
 * [<file>]} writes the signed planet (default {@code ./planet}). To publish a later revision keep
 * {@code signingKey*} equal to the previous revision's {@code updatesMustBeSignedBy} pair (or rotate
 * it by naming a new {@code updatesMustBeSignedBy}); nodes accept it under ZT1-07 §3.5.
 */
public final class IdToolCommand implements Command {
    /** idtool reads at most this many signature bytes from hex. */
    private static final int SIGNATURE_HEX_BYTES_MAX = 4096;
    /** A signature must be longer than an address (5 bytes) before it is even checked. */
    private static final int ADDRESS_LENGTH = 5;

    private final RandomGenerator random;
    private final LongSupplier clockMs;

    public IdToolCommand() {
        this(new SecureRandom(), System::currentTimeMillis);
    }

    /** With a given random source (tests). */
    public IdToolCommand(RandomGenerator random) {
        this(random, System::currentTimeMillis);
    }

    /** With a given random source and clock (tests). */
    public IdToolCommand(RandomGenerator random, LongSupplier clockMs) {
        this.random = random;
        this.clockMs = clockMs;
    }

    @Override
    public int run(List<String> args, PrintStream out, PrintStream err) {
        if (args.isEmpty()) {
            usage(out);
            return 1;
        }
        List<String> rest = args.subList(1, args.size());
        return switch (args.getFirst()) {
            case "generate" -> arity(rest, 0, 3, "generate [<identity.secret>] [<identity.public>] [<vanity>]", err)
                    ? generate(rest, out, err) : 1;
            case "validate" -> arity(rest, 1, 1, "validate <identity.secret/public>", err) ? validate(rest.get(0), out, err) : 1;
            case "getpublic" -> arity(rest, 1, 1, "getpublic <identity.secret>", err) ? getpublic(rest.get(0), out, err) : 1;
            case "sign" -> arity(rest, 2, 2, "sign <identity.secret> <file>", err) ? sign(rest.get(0), rest.get(1), out, err) : 1;
            case "verify" -> arity(rest, 3, 3, "verify <identity.secret/public> <file> <signature>", err)
                    ? verify(rest.get(0), rest.get(1), rest.get(2), out, err) : 1;
            case "initmoon" -> arity(rest, 1, 1, "initmoon <identity.public of first seed>", err)
                    ? initWorld(World.Type.MOON, rest, out, err) : 1;
            case "initplanet" -> arity(rest, 1, World.ROOTS_MAX, "initplanet <root identity.public> [...]", err)
                    ? initWorld(World.Type.PLANET, rest, out, err) : 1;
            case "genmoon" -> arity(rest, 1, 2, "genmoon <moon.json> [<output directory>]", err)
                    ? genWorld(World.Type.MOON, rest, out, err) : 1;
            case "genplanet" -> arity(rest, 1, 2, "genplanet <planet.json> [<output file>]", err)
                    ? genWorld(World.Type.PLANET, rest, out, err) : 1;
            case "help", "--help", "-h" -> {
                usage(out);
                yield 0;
            }
            default -> {
                err.println("zerokube idtool: unknown command '" + args.getFirst() + "'");
                usage(err);
                yield 1;
            }
        };
    }

    /** initmoon: the JSON template for a moon whose id is the first seed's address; initplanet: for a planet. */
    private int initWorld(World.Type type, List<String> args, PrintStream out, PrintStream err) {
        List<Identity> roots = new ArrayList<>();
        for (String arg : args) {
            Optional<Identity> id = IdentityFiles.fromArgument(arg);
            if (id.isEmpty()) {
                err.println("Identity argument invalid or file unreadable: " + arg);
                return 1;
            }
            roots.add(id.get().publicOnly());
        }
        // A planet id is anything but Earth's and Mars's; a random 32-bit one keeps it short.
        long id = type == World.Type.MOON ? roots.getFirst().address().value()
                : 0x1_0000_0000L | (random.nextLong() & 0xffff_ffffL);
        out.print(JsonText.writePretty(WorldTool.template(type, id, roots, random)));
        out.println();
        return 0;
    }

    /**
     * genmoon: writes {@code <id as 16 hex digits>.moon} (in the given directory, default the
     * current one); genplanet: writes a planet file (default {@code ./planet}) to copy as
     * {@code planet} into each node's home.
     */
    private int genWorld(World.Type expected, List<String> args, PrintStream out, PrintStream err) {
        Optional<byte[]> text = readFile(args.get(0));
        if (text.isEmpty()) {
            err.println(args.get(0) + " is not readable");
            return 1;
        }
        World world;
        try {
            world = WorldTool.build(WorldTool.parse(text.get()), clockMs.getAsLong());
        } catch (WorldTool.WorldDefinitionException e) {
            err.println(args.get(0) + ": " + e.getMessage());
            return 1;
        }
        if (world.type() != expected) {
            err.println(args.get(0) + ": worldType is " + world.type().name().toLowerCase(java.util.Locale.ROOT)
                    + "; use " + (world.type() == World.Type.MOON ? "genmoon" : "genplanet"));
            return 1;
        }
        Path file = expected == World.Type.MOON
                ? Path.of(args.size() > 1 ? args.get(1) : ".").resolve(String.format("%016x.moon", world.id()))
                : Path.of(args.size() > 1 ? args.get(1) : "planet");
        try {
            Files.write(file, world.toBytes());
        } catch (IOException | RuntimeException e) {
            err.println("Error writing to " + file);
            return 1;
        }
        out.println("wrote " + file + " (signed world with timestamp " + Long.toUnsignedString(world.timestampMs()) + ")");
        return 0;
    }

    private static boolean arity(List<String> args, int min, int max, String usage, PrintStream err) {
        if (args.size() >= min && args.size() <= max) {
            return true;
        }
        err.println("usage: zerokube idtool " + usage);
        return false;
    }

    private int generate(List<String> args, PrintStream out, PrintStream err) {
        Vanity vanity = args.size() >= 3 ? Vanity.parse(args.get(2)) : Vanity.NONE;
        Identity id;
        for (;;) {
            id = Identity.generate(random);
            long address = id.address().value();
            if (vanity.matches(address)) {
                if (vanity.bits() > 0) {
                    err.printf("vanity address: found %010x !%n", address);
                }
                break;
            }
            err.printf("vanity address: tried %010x looking for first %d bits of %010x%n",
                    address, vanity.bits(), vanity.prefixAligned());
        }
        if (args.isEmpty()) {
            out.print(id.toString(true));
            return 0;
        }
        if (!write(args.get(0), id.toString(true), out, err)) {
            return 1;
        }
        if (args.size() >= 2 && !write(args.get(1), id.toString(false), out, err)) {
            return 1;
        }
        return 0;
    }

    private static boolean write(String file, String text, PrintStream out, PrintStream err) {
        try {
            Files.writeString(Path.of(file), text, StandardCharsets.ISO_8859_1);
        } catch (IOException | RuntimeException e) {
            err.println("Error writing to " + file);
            return false;
        }
        out.println(file + " written");
        return true;
    }

    private static int validate(String arg, PrintStream out, PrintStream err) {
        Optional<Identity> id = IdentityFiles.fromArgument(arg);
        if (id.isEmpty()) {
            err.println("Identity argument invalid or file unreadable: " + arg);
            return 1;
        }
        if (!id.get().locallyValidate()) {
            err.println(arg + " FAILED validation.");
            return 1;
        }
        out.println(arg + " is a valid identity");
        return 0;
    }

    private static int getpublic(String arg, PrintStream out, PrintStream err) {
        Optional<Identity> id = IdentityFiles.fromArgument(arg);
        if (id.isEmpty()) {
            err.println("Identity argument invalid or file unreadable: " + arg);
            return 1;
        }
        out.print(id.get().toString(false));
        return 0;
    }

    private static int sign(String idArg, String file, PrintStream out, PrintStream err) {
        Optional<Identity> id = IdentityFiles.fromArgument(idArg);
        if (id.isEmpty()) {
            err.println("Identity argument invalid or file unreadable: " + idArg);
            return 1;
        }
        if (!id.get().hasPrivate()) {
            err.println(idArg + " does not contain a private key (must use private to sign)");
            return 1;
        }
        Optional<byte[]> message = readFile(file);
        if (message.isEmpty()) {
            err.println(file + " is not readable");
            return 1;
        }
        out.print(HexFormat.of().formatHex(id.get().sign(message.get())));
        return 0;
    }

    private static int verify(String idArg, String file, String signatureArg, PrintStream out, PrintStream err) {
        Optional<Identity> id = IdentityFiles.fromArgument(idArg);
        if (id.isEmpty()) {
            err.println("Identity argument invalid or file unreadable: " + idArg);
            return 1;
        }
        Optional<byte[]> message = readFile(file);
        if (message.isEmpty()) {
            err.println(file + " is not readable");
            return 1;
        }
        boolean valid = verifies(id.get(), message.get(), lenientHex(signatureArg.getBytes(StandardCharsets.UTF_8)));
        if (!valid) {
            // idtool's second chance: the argument may name a file that holds the hex.
            Optional<byte[]> sigFile = readFile(signatureArg);
            valid = sigFile.isPresent() && verifies(id.get(), message.get(), lenientHex(sigFile.get()));
        }
        if (!valid) {
            err.println(file + " signature check FAILED");
            return 1;
        }
        out.println(file + " signature valid");
        return 0;
    }

    private static boolean verifies(Identity id, byte[] message, byte[] signature) {
        return signature.length > ADDRESS_LENGTH && id.verify(message, signature);
    }

    /**
     * Hex as idtool reads a signature: pairs of characters, a non-hex character counting as 0,
     * stopping at the end or a NUL byte (an odd last digit is dropped) or after 4096 bytes.
     */
    static byte[] lenientHex(byte[] text) {
        int digits = 0;
        while (digits < text.length && text[digits] != 0) {
            digits++;
        }
        int n = Math.min(digits / 2, SIGNATURE_HEX_BYTES_MAX);
        byte[] out = new byte[n];
        for (int i = 0; i < n; i++) {
            out[i] = (byte) ((nibble(text[2 * i]) << 4) | nibble(text[2 * i + 1]));
        }
        return out;
    }

    private static int nibble(byte c) {
        if (c >= '0' && c <= '9') {
            return c - '0';
        }
        if (c >= 'a' && c <= 'f') {
            return c - 'a' + 10;
        }
        if (c >= 'A' && c <= 'F') {
            return c - 'A' + 10;
        }
        return 0;
    }

    private static Optional<byte[]> readFile(String file) {
        try {
            return Optional.of(Files.readAllBytes(Path.of(file)));
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    static void usage(PrintStream out) {
        out.println("""
                zerokube idtool: ZeroTier identities and signatures (as zerotier-idtool 1.14.1)

                usage: zerokube idtool <command> [<args>]

                commands:
                  generate [<identity.secret>] [<identity.public>] [<vanity>]
                  validate <identity.secret/public>
                  getpublic <identity.secret>
                  sign <identity.secret> <file>
                  verify <identity.secret/public> <file> <signature>
                  initmoon <identity.public of first seed>      moon template (JSON) on stdout
                  genmoon <moon.json> [<output directory>]      signed <16-hex id>.moon
                  initplanet <root identity.public> [...]       planet template (JSON) on stdout
                  genplanet <planet.json> [<output file>]       signed planet file (default ./planet)

                An identity argument may also be the identity itself (address:0:public[:private]).""");
    }
}
