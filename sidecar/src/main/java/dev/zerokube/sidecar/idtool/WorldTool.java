package dev.zerokube.sidecar.idtool;

import dev.zerokube.overlay.crypto.C25519;
import dev.zerokube.overlay.identity.Identity;
import dev.zerokube.overlay.root.RootWorlds;
import dev.zerokube.overlay.runtime.JsonText;
import dev.zerokube.overlay.wire.InetEndpoint;
import dev.zerokube.overlay.wire.World;
import dev.zerokube.overlay.wire.rules.ControllerRuleJson;
import dev.zerokube.sidecar.IdentityFiles;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.random.RandomGenerator;

/**
 * World definitions (ZT1-07 §3.7) as {@code zerotier-idtool initmoon}/{@code genmoon} write and read
 * them: a JSON object with {@code id} (hex), {@code objtype} {@code "world"}, {@code worldType}
 * ({@code "moon"} or {@code "planet"}), {@code roots} ({@code identity}, {@code stableEndpoints}
 * as {@code "ip/port"}), {@code signingKey} + {@code signingKey_SECRET} (the pair that signs this
 * revision) and {@code updatesMustBeSignedBy} (the key that must sign the next), all keys in hex.
 * zerokube adds one optional field, {@code timestamp} (ms): when present it is used instead of the
 * clock, for reproducible worlds.
 *
 * <p>As genmoon, each root's endpoints are sorted (family, then port, then address: the byte
 * order of 1.14.1's {@code InetAddress} comparison) and the roots by address then public key,
 * and the world is signed with ZeroTier's 96-byte signature over the signing form
 * ({@link World#signInput}).
 */
final class WorldTool {
    private WorldTool() {}

    /** A world definition that cannot be used, with the reason. */
    static final class WorldDefinitionException extends Exception {
        private static final long serialVersionUID = 1L;

        WorldDefinitionException(String message) {
            super(message);
        }
    }

    /** The JSON template of initmoon (and initplanet): one root, a fresh key pair. */
    static Map<String, Object> template(World.Type type, long id, List<Identity> roots, RandomGenerator random) {
        C25519.KeyPair key = C25519.generate(random);
        HexFormat hex = HexFormat.of();
        Map<String, Object> o = new TreeMap<>();
        o.put("id", type == World.Type.MOON ? String.format("%010x", id) : String.format("%016x", id));
        o.put("objtype", "world");
        List<Object> rootList = new ArrayList<>();
        for (Identity r : roots) {
            Map<String, Object> root = new LinkedHashMap<>();
            root.put("identity", r.toString(false));
            root.put("stableEndpoints", List.of());
            rootList.add(root);
        }
        o.put("roots", rootList);
        o.put("signingKey", hex.formatHex(key.publicKey()));
        o.put("signingKey_SECRET", hex.formatHex(key.privateKey()));
        o.put("updatesMustBeSignedBy", hex.formatHex(key.publicKey()));
        o.put("worldType", type == World.Type.MOON ? "moon" : "planet");
        return o;
    }

    /** The signed world a definition describes. */
    static World build(Map<String, Object> def, long nowMs) throws WorldDefinitionException {
        long id = ControllerRuleJson.strtoull(ControllerRuleJson.jsonString(def.get("id"), "0"), 16);
        if (id == 0) {
            throw new WorldDefinitionException("id is missing or 0");
        }
        World.Type type = switch (ControllerRuleJson.jsonString(def.get("worldType"), "")) {
            case "moon" -> World.Type.MOON;
            case "planet" -> World.Type.PLANET;
            default -> throw new WorldDefinitionException("worldType must be \"moon\" or \"planet\"");
        };
        byte[] pub = key(def, "signingKey", C25519.PUBLIC_KEY_LENGTH);
        byte[] secret = key(def, "signingKey_SECRET", C25519.PRIVATE_KEY_LENGTH);
        if (!Arrays.equals(C25519.publicFromPrivate(secret), pub)) {
            throw new WorldDefinitionException("signingKey is not the public half of signingKey_SECRET");
        }
        byte[] next = key(def, "updatesMustBeSignedBy", C25519.PUBLIC_KEY_LENGTH);
        if (!(def.get("roots") instanceof List<?> rootList) || rootList.isEmpty()) {
            throw new WorldDefinitionException("roots must be a non-empty array");
        }
        if (rootList.size() > World.ROOTS_MAX) {
            throw new WorldDefinitionException(rootList.size() + " roots, at most " + World.ROOTS_MAX);
        }
        List<World.Root> roots = new ArrayList<>();
        for (int i = 0; i < rootList.size(); i++) {
            if (!(rootList.get(i) instanceof Map<?, ?> r)) {
                throw new WorldDefinitionException("roots[" + i + "] is not an object");
            }
            Optional<Identity> identity = IdentityFiles.parse(ControllerRuleJson.jsonString(r.get("identity"), ""));
            if (identity.isEmpty() || !identity.get().locallyValidate()) {
                throw new WorldDefinitionException("roots[" + i + "].identity is not a valid identity");
            }
            List<InetEndpoint> endpoints = new ArrayList<>();
            if (r.get("stableEndpoints") instanceof List<?> eps) {
                for (int k = 0; k < eps.size(); k++) {
                    try {
                        endpoints.add(InetEndpoint.parse(ControllerRuleJson.jsonString(eps.get(k), "")));
                    } catch (IllegalArgumentException e) {
                        throw new WorldDefinitionException("roots[" + i + "].stableEndpoints[" + k + "]: " + e.getMessage()
                                + " (write ip/port, e.g. 198.18.1.1/9993)");
                    }
                }
            }
            if (endpoints.size() > World.STABLE_ENDPOINTS_MAX) {
                throw new WorldDefinitionException("roots[" + i + "] has " + endpoints.size() + " endpoints, at most "
                        + World.STABLE_ENDPOINTS_MAX);
            }
            endpoints.sort(ENDPOINT_ORDER);
            roots.add(RootWorlds.root(identity.get(), endpoints));
        }
        roots.sort(Comparator.comparing((World.Root r) -> r.identity().address())
                .thenComparing(r -> r.identity().publicKey(), Arrays::compareUnsigned));
        long timestamp = def.get("timestamp") instanceof Number n ? n.longValue() : nowMs;
        return World.make(type, id, timestamp, next, roots, new C25519.KeyPair(pub, secret));
    }

    /** 1.14.1's endpoint order: IPv4 before IPv6, then port, then address bytes. */
    static final Comparator<InetEndpoint> ENDPOINT_ORDER = Comparator.comparing(InetEndpoint::isIpv6)
            .thenComparingInt(InetEndpoint::port)
            .thenComparing(InetEndpoint::ip, Arrays::compareUnsigned);

    private static byte[] key(Map<String, Object> def, String field, int length) throws WorldDefinitionException {
        String text = ControllerRuleJson.jsonString(def.get(field), "");
        try {
            byte[] b = HexFormat.of().parseHex(text);
            if (b.length == length) {
                return b;
            }
        } catch (IllegalArgumentException e) {
            // reported below
        }
        throw new WorldDefinitionException(field + " must be " + length + " bytes in hex");
    }

    /** Parses a definition file's text. */
    static Map<String, Object> parse(byte[] text) throws WorldDefinitionException {
        try {
            return JsonText.parseObject(text);
        } catch (JsonText.JsonSyntaxException e) {
            throw new WorldDefinitionException(e.getMessage());
        }
    }
}
