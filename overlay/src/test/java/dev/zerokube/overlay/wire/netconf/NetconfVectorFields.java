package dev.zerokube.overlay.wire.netconf;

import com.fasterxml.jackson.databind.JsonNode;
import dev.zerokube.overlay.codec.ByteReader;
import dev.zerokube.overlay.codec.WireFormatException;
import dev.zerokube.overlay.identity.Address;
import dev.zerokube.overlay.testing.Vectors;
import dev.zerokube.overlay.wire.InetEndpoint;
import dev.zerokube.overlay.wire.NetworkId;
import dev.zerokube.overlay.wire.credentials.Capability;
import dev.zerokube.overlay.wire.credentials.CertificateOfMembership;
import dev.zerokube.overlay.wire.credentials.CertificateOfOwnership;
import dev.zerokube.overlay.wire.credentials.Tag;
import dev.zerokube.overlay.wire.rules.RuleCodec;
import dev.zerokube.overlay.wire.rules.RuleEntry;
import java.util.ArrayList;
import java.util.List;

/**
 * The {@code fields} object of {@code vectors/netconf.jsonl} (README §8: a config as 1.14.1 parsed
 * it) as a {@link NetworkConfig}, so a decoded or produced config can be compared with
 * {@link NetworkConfig#differences}. Shared with the controller's tests.
 */
public final class NetconfVectorFields {
    private NetconfVectorFields() {}

    /** The config the fields describe, capabilities and tags in the order listed. */
    public static NetworkConfig toConfig(JsonNode f) {
        NetworkConfig.Builder b = NetworkConfig.builder()
                .networkId(NetworkId.parse(f.get("network_id").asText()))
                .timestampMs(f.get("timestamp").asLong())
                .credentialTimeMaxDeltaMs(f.get("credential_time_max_delta").asLong())
                .revision(f.get("revision").bigIntegerValue().longValue())
                .issuedTo(address(f.get("issued_to").asText()))
                .remoteTraceTarget(address(f.get("remote_trace_target").asText()))
                .remoteTraceLevel(f.get("remote_trace_level").asLong())
                .flags(Vectors.hex64(f, "flags"))
                .multicastLimit(f.get("multicast_limit").asLong())
                .type(f.get("type").asLong())
                .name(f.get("name").asText())
                .mtu(f.get("mtu").asInt())
                .specialists(strings(f.get("specialists")).stream()
                        .map(s -> new Specialist(Long.parseUnsignedLong(s, 16))).toList())
                .routes(routes(f.get("routes")))
                .staticIps(strings(f.get("static_ips")).stream().map(InetEndpoint::parse).toList())
                .rules(rules(Vectors.hex(f, "rules_serialized"), f.get("rule_count").asInt()))
                .capabilities(credentials(f.get("capabilities"), Capability::decode))
                .tags(credentials(f.get("tags"), Tag::decode))
                .certificatesOfOwnership(credentials(f.get("certificates_of_ownership"), CertificateOfOwnership::decode))
                .certificateOfMembership(f.get("com").isNull() ? null
                        : credential(Vectors.hex(f, "com"), CertificateOfMembership::decode))
                .dns(Dns.of(f.get("dns").get("domain").asText(),
                        strings(f.get("dns").get("servers")).stream().map(InetEndpoint::parse).toList()))
                .ssoEnabled(f.get("sso_enabled").asBoolean())
                .ssoVersion(f.get("sso_version").asLong())
                .authenticationUrl(f.get("authentication_url").asText())
                .authenticationExpiryTimeMs(f.get("authentication_expiry_time").asLong())
                .issuerUrl(f.get("issuer_url").asText())
                .centralAuthUrl(f.get("central_auth_url").asText())
                .ssoNonce(f.get("sso_nonce").asText())
                .ssoState(f.get("sso_state").asText())
                .ssoClientId(f.get("sso_client_id").asText())
                .ssoProvider(f.get("sso_provider").asText());
        return b.build();
    }

    private static List<RuleEntry> rules(byte[] table, int count) {
        try {
            List<RuleEntry> rules = RuleCodec.decodeTable(new ByteReader(table, "rules_serialized"), RuleCodec.BASE_TABLE_ENTRIES_MAX);
            if (rules.size() != count) {
                throw new IllegalArgumentException("rule_count " + count + " but " + rules.size() + " entries");
            }
            return rules;
        } catch (WireFormatException e) {
            throw new IllegalArgumentException("rules_serialized: " + e.what(), e);
        }
    }

    private static Address address(String hex) {
        return hex.isEmpty() ? Address.NONE : new Address(Long.parseLong(hex, 16));
    }

    private static List<Route> routes(JsonNode list) {
        List<Route> out = new ArrayList<>();
        for (JsonNode r : list) {
            out.add(new Route(InetEndpoint.parse(r.get("target").asText()),
                    r.get("via").isNull() ? InetEndpoint.NIL : InetEndpoint.parse(r.get("via").asText()),
                    r.get("flags").asInt(), r.get("metric").asInt()));
        }
        return out;
    }

    private static List<String> strings(JsonNode list) {
        List<String> out = new ArrayList<>();
        list.forEach(n -> out.add(n.asText()));
        return out;
    }

    /** A credential decoder ({@code Tag::decode}, ...). */
    public interface Decoder<T> {
        T decode(ByteReader r) throws WireFormatException;
    }

    /** One serialized credential, which must fill {@code bytes} exactly. */
    public static <T> T credential(byte[] bytes, Decoder<T> decoder) {
        try {
            ByteReader r = new ByteReader(bytes, "vector credential");
            T value = decoder.decode(r);
            r.expectEnd("the credential");
            return value;
        } catch (WireFormatException e) {
            throw new IllegalArgumentException(e.what(), e);
        }
    }

    private static <T> List<T> credentials(JsonNode list, Decoder<T> decoder) {
        List<T> out = new ArrayList<>();
        list.forEach(n -> out.add(credential(Vectors.hex(n), decoder)));
        return out;
    }
}
