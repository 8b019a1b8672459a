package dev.zerokube.overlay.rules;

import dev.zerokube.overlay.identity.Address;
import dev.zerokube.overlay.wire.InetEndpoint;
import dev.zerokube.overlay.wire.Mac;
import dev.zerokube.overlay.wire.rules.RuleEntry;
import dev.zerokube.overlay.wire.rules.RuleType;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.function.Function;

/**
 * Random rule programs for tests.
 *
 * <p>{@link #program} writes a well-formed program from the grammar of ZT1-06 §11 (every action
 * and match keyword, every argument form, not/or/and, tags with id/default/enum/flag, caps,
 * macros with parameters and nested includes, comments, CR LF, tabs, definitions before and after
 * use) together with what it must compile to, worked out independently of the compiler from the
 * language's definition: the rule entries of the base table and of each capability, and the tags.
 *
 * <p>{@link #noise} writes token soup from the language's vocabulary and odd characters, for
 * comparing with 1.14.1 and for fuzzing: most of it is refused.
 */
final class RuleProgramGenerator {
    /** A generated program and the compilation it must give. */
    record Program(String source, List<RuleEntry> rules, List<CapabilityDefinition> capabilities,
            List<TagDefinition> tags) {}

    /** One statement: its text (with {@code $param} references) and its entries for given arguments. */
    private record Statement(String text, Function<Map<String, String>, List<RuleEntry>> entries) {}

    private record Macro(String name, List<String> params, List<Statement> body) {}

    private static final String[] ETHERTYPE_NAMES = {"ipv4", "arp", "wol", "rarp", "ipv6", "atalk", "aarp", "ipx_a",
        "ipx_b"};
    private static final int[] ETHERTYPE_VALUES = {0x0800, 0x0806, 0x0842, 0x8035, 0x86dd, 0x809b, 0x80f3, 0x8137,
        0x8138};
    private static final String[] PROTOCOL_NAMES = {"icmp4", "icmpv4", "igmp", "ipip", "tcp", "egp", "igp", "udp",
        "rdp", "esp", "ah", "icmp6", "icmpv6", "l2tp", "sctp", "udplite"};
    private static final int[] PROTOCOL_VALUES = {1, 1, 2, 4, 6, 8, 9, 17, 27, 50, 51, 58, 58, 115, 132, 136};
    private static final String[] CHR_NAMES = {"inbound", "multicast", "broadcast", "ipauth", "macauth", "tcp_fin",
        "tcp_syn", "tcp_rst", "tcp_psh", "tcp_ack", "tcp_urg", "tcp_ece", "tcp_cwr", "tcp_ns", "tcp_rs2", "tcp_rs1",
        "tcp_rs0"};
    private static final int[] CHR_BITS = {63, 62, 61, 60, 59, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11};
    private static final String[] MATCH_KEYWORDS = {"ztsrc", "ztdest", "vlan", "vlanpcp", "vlandei", "ethertype",
        "macsrc", "macdest", "ipsrc", "ipdest", "iptos", "ipprotocol", "icmp", "sport", "dport", "chr", "framesize",
        "random", "tand", "tor", "txor", "tdiff", "teq", "tseq", "treq"};
    private static final String[] TAG_MATCHES = {"tand", "tor", "txor", "tdiff", "teq", "tseq", "treq"};
    private static final RuleType[] TAG_TYPES = {RuleType.MATCH_TAGS_BITWISE_AND, RuleType.MATCH_TAGS_BITWISE_OR,
        RuleType.MATCH_TAGS_BITWISE_XOR, RuleType.MATCH_TAGS_DIFFERENCE, RuleType.MATCH_TAGS_EQUAL,
        RuleType.MATCH_TAG_SENDER, RuleType.MATCH_TAG_RECEIVER};
    private static final Set<String> RESERVED = Set.of("macro", "tag", "cap", "default", "drop", "accept", "tee",
        "watch", "redirect", "break", "priority", "ztsrc", "ztdest", "vlan", "vlanpcp", "vlandei", "ethertype", "macsrc",
        "macdest", "ipsrc", "ipdest", "iptos", "ipprotocol", "icmp", "sport", "dport", "chr", "framesize", "random",
        "tand", "tor", "txor", "tdiff", "teq", "tseq", "treq", "type", "enum", "class", "define", "import", "include",
        "log", "not", "xor", "or", "and", "set", "var", "let", "id", "flag");

    private final SplittableRandom r;
    private final Set<String> names = new HashSet<>();
    private final List<TagDefinition> tags = new ArrayList<>();
    private final List<Macro> macros = new ArrayList<>();
    private final Set<Long> capIds = new HashSet<>();
    private final Set<Long> tagIds = new HashSet<>();

    private RuleProgramGenerator(SplittableRandom r) {
        this.r = r;
    }

    /** A well-formed program and its expected compilation. */
    static Program program(SplittableRandom r) {
        return new RuleProgramGenerator(r).generate();
    }

    private Program generate() {
        List<String> definitions = new ArrayList<>();
        // Tags first in the generator (matches need them), but placed anywhere in the text.
        int tagCount = r.nextInt(4);
        for (int i = 0; i < tagCount; i++) {
            definitions.add(tagDefinition());
        }
        int macroCount = r.nextInt(4);
        for (int i = 0; i < macroCount; i++) {
            definitions.add(macroDefinition());
        }
        List<CapabilityDefinition> caps = new ArrayList<>();
        List<String> capTexts = new ArrayList<>();
        int capCount = r.nextInt(4);
        for (int i = 0; i < capCount; i++) {
            capTexts.add(capDefinition(caps));
        }
        List<RuleEntry> base = new ArrayList<>();
        List<String> baseTexts = new ArrayList<>();
        int statements = r.nextInt(8);
        for (int i = 0; i < statements; i++) {
            Statement s = r.nextInt(5) == 0 && !macros.isEmpty() ? include() : statement(Map.of());
            baseTexts.add(s.text());
            base.addAll(s.entries().apply(Map.of()));
        }
        String last = null;
        if (r.nextBoolean()) {
            String action = pick("drop", "accept", "break");
            last = action + pick(";", " ;", "", ";\n", "\n;\n");
            base.add(RuleEntry.Action.of(actionType(action)));
        }
        // Definitions may come before or after the statements that use them (ZT1-06 §11.2), but
        // capabilities keep their relative order (it is the output order) and so do tags.
        List<String> pieces = new ArrayList<>(baseTexts);
        insertInOrder(pieces, definitions);
        insertInOrder(pieces, capTexts);
        StringBuilder src = new StringBuilder();
        if (r.nextInt(4) == 0) {
            src.append("# generated program").append(newline());
        }
        for (String p : pieces) {
            src.append(p).append(newline());
        }
        if (last != null) {
            src.append(last);
        }
        return new Program(src.toString(), base, caps, List.copyOf(tags));
    }

    private void insertInOrder(List<String> pieces, List<String> extra) {
        int at = 0;
        for (String e : extra) {
            at = at + r.nextInt(pieces.size() - at + 1);
            pieces.add(at, e);
            at++;
        }
    }

    // ------------------------------------------------------------------ definitions

    private String tagDefinition() {
        String name = freshName();
        long id;
        do {
            id = r.nextBoolean() ? r.nextInt(1000) : r.nextLong(1L << 32);
        } while (!tagIds.add(id));
        Map<String, Long> enums = new LinkedHashMap<>();
        Map<String, Long> flags = new LinkedHashMap<>();
        List<String> parts = new ArrayList<>();
        parts.add("id " + number(id));
        int enumCount = r.nextInt(4);
        for (int i = 0; i < enumCount; i++) {
            String e = freshName();
            long v = r.nextBoolean() ? r.nextInt(10) : r.nextLong(1L << 32);
            enums.put(e, v);
            parts.add("enum " + number(v) + " " + mixedCase(e));
        }
        int flagCount = r.nextInt(4);
        for (int i = 0; i < flagCount; i++) {
            String f = freshName();
            StringBuilder bits = new StringBuilder();
            long mask = 0;
            int n = 1 + r.nextInt(3);
            for (int j = 0; j < n; j++) {
                if (j > 0) {
                    bits.append(',');
                }
                if (!flags.isEmpty() && r.nextInt(3) == 0) {
                    String earlier = flags.keySet().stream().skip(r.nextInt(flags.size())).findFirst().orElseThrow();
                    bits.append(r.nextBoolean() ? earlier : earlier.toUpperCase(Locale.ROOT));
                    mask |= flags.get(earlier);
                } else {
                    int bit = r.nextInt(31);
                    bits.append(number(bit));
                    mask |= 1L << bit;
                }
            }
            flags.put(f, mask);
            parts.add("flag " + bits + " " + f);
        }
        OptionalLong dfl = OptionalLong.empty();
        if (r.nextBoolean()) {
            int choice = r.nextInt(3);
            if (choice == 0 && !enums.isEmpty()) {
                String e = enums.keySet().stream().skip(r.nextInt(enums.size())).findFirst().orElseThrow();
                dfl = OptionalLong.of(enums.get(e));
                parts.add(r.nextInt(parts.size() + 1), "default " + e);
            } else if (choice == 1 && !flags.isEmpty()) {
                String f = flags.keySet().stream().skip(r.nextInt(flags.size())).findFirst().orElseThrow();
                dfl = OptionalLong.of(flags.get(f));
                parts.add(r.nextInt(parts.size() + 1), "default " + f);
            } else {
                long v = r.nextBoolean() ? r.nextInt(100) : r.nextLong(1L << 32);
                dfl = OptionalLong.of(v);
                parts.add(r.nextInt(parts.size() + 1), "default " + number(v));
            }
        }
        // 'id' first, the rest in any order that keeps flags after the flags they name.
        tags.add(new TagDefinition(name, id, dfl, enums, flags));
        return "tag" + space() + mixedCase(name) + space() + String.join(space(), parts) + closing();
    }

    private String macroDefinition() {
        String name = freshName();
        int paramCount = r.nextInt(3);
        List<String> params = new ArrayList<>();
        for (int i = 0; i < paramCount; i++) {
            params.add("$" + freshName());
        }
        List<Statement> body = new ArrayList<>();
        int n = 1 + r.nextInt(3);
        for (int i = 0; i < n; i++) {
            body.add(!macros.isEmpty() && r.nextInt(4) == 0 ? include() : statement(paramTypes(params)));
        }
        macros.add(new Macro(name, params, body));
        StringBuilder text = new StringBuilder("macro ").append(name);
        if (!params.isEmpty() || r.nextInt(4) == 0) {
            text.append('(').append(String.join(",", params)).append(')');
        }
        text.append(newline());
        for (Statement s : body) {
            text.append("  ").append(s.text()).append(newline());
        }
        return text.append(";").toString();
    }

    private Map<String, String> paramTypes(List<String> params) {
        Map<String, String> m = new LinkedHashMap<>();
        for (String p : params) {
            m.put(p, p);
        }
        return m;
    }

    private Statement include() {
        Macro m = macros.get(r.nextInt(macros.size()));
        Map<String, String> args = new LinkedHashMap<>();
        for (String p : m.params()) {
            args.put(p, Integer.toString(r.nextInt(65536)));
        }
        String text = "include " + m.name() + (m.params().isEmpty() && r.nextBoolean() ? ""
                : "(" + String.join(",", args.values()) + ")");
        return new Statement(text, ignored -> {
            List<RuleEntry> out = new ArrayList<>();
            for (Statement s : m.body()) {
                out.addAll(s.entries().apply(args));
            }
            return out;
        });
    }

    private String capDefinition(List<CapabilityDefinition> caps) {
        String name = freshName();
        long id;
        do {
            id = r.nextBoolean() ? r.nextInt(100) : r.nextLong(1L << 32);
        } while (!capIds.add(id));
        boolean isDefault = r.nextBoolean();
        List<RuleEntry> rules = new ArrayList<>();
        StringBuilder text = new StringBuilder("cap").append(space()).append(mixedCase(name)).append(newline());
        List<String> parts = new ArrayList<>();
        parts.add("id " + number(id));
        if (isDefault) {
            parts.add(r.nextInt(parts.size() + 1), "default");
        }
        int n = r.nextInt(4);
        for (int i = 0; i < n; i++) {
            Statement s = !macros.isEmpty() && r.nextInt(4) == 0 ? include() : statement(Map.of());
            List<RuleEntry> entries = s.entries().apply(Map.of());
            if (rules.size() + entries.size() < 64) {
                parts.add(s.text());
                rules.addAll(entries);
            }
        }
        for (String p : parts) {
            text.append("  ").append(p).append(newline());
        }
        if (r.nextBoolean()) {
            // A bare action glued to its ';' ends the capability (ZT1-06 §11.1).
            String action = pick("drop", "accept", "break");
            text.append("  ").append(action).append(";");
            rules.add(RuleEntry.Action.of(actionType(action)));
            if (r.nextBoolean()) {
                text.append(newline()).append(";");
            }
        } else {
            text.append(";");
        }
        caps.add(new CapabilityDefinition(name, id, isDefault, rules));
        return text.toString();
    }

    // ------------------------------------------------------------------ statements

    /** An action with at least one match (or tee/watch/redirect, whose arguments keep it open). */
    private Statement statement(Map<String, String> params) {
        String action = pick("drop", "accept", "break", "tee", "watch", "redirect");
        StringBuilder text = new StringBuilder(action);
        RuleEntry actionEntry;
        switch (action) {
            case "tee", "watch" -> {
                int length = r.nextInt(5) == 0 ? -1 : r.nextInt(65536);
                long address = r.nextLong(1L << 40);
                text.append(' ').append(length == -1 ? "-1" : number(length)).append(' ').append(hex10(address));
                actionEntry = new RuleEntry.Forward(actionType(action), false, false, address, 0, length & 0xffff);
            }
            case "redirect" -> {
                long address = r.nextLong(1L << 40);
                text.append(' ').append(hex10(address));
                actionEntry = new RuleEntry.Forward(RuleType.ACTION_REDIRECT, false, false, address, 0, 0);
            }
            default -> actionEntry = RuleEntry.Action.of(actionType(action));
        }
        // drop/accept/break need a match: a bare one would not end its statement (ZT1-06 §11.1).
        boolean needsMatch = action.equals("drop") || action.equals("accept") || action.equals("break");
        int matchCount = (needsMatch ? 1 : 0) + r.nextInt(4);
        List<Function<Map<String, String>, RuleEntry>> matches = new ArrayList<>();
        for (int i = 0; i < matchCount; i++) {
            StringBuilder prefix = new StringBuilder();
            if (i > 0 && r.nextInt(3) == 0) {
                prefix.append(pick("and", "or", "AND", "Or")).append(' ');
            } else if (i == 0 && r.nextInt(8) == 0) {
                prefix.append("and ");
            }
            boolean not = r.nextInt(3) == 0;
            if (not) {
                prefix.append(pick("not", "NOT")).append(' ');
            }
            boolean or = prefix.toString().toLowerCase(Locale.ROOT).contains("or ");
            text.append(separator()).append(prefix);
            matches.add(match(text, not, or, params));
        }
        // The block opened by the action holds at least one word, so any of these closes it.
        text.append(r.nextBoolean() ? " ;" : r.nextBoolean() ? ";" : newline() + ";");
        RuleEntry finalAction = actionEntry;
        return new Statement(text.toString(), args -> {
            List<RuleEntry> out = new ArrayList<>();
            for (Function<Map<String, String>, RuleEntry> m : matches) {
                out.add(m.apply(args));
            }
            out.add(finalAction);
            return out;
        });
    }

    /** Appends one match (keyword and arguments) to {@code text} and returns how to compute its entry. */
    private Function<Map<String, String>, RuleEntry> match(StringBuilder text, boolean not, boolean or,
            Map<String, String> params) {
        String keyword = MATCH_KEYWORDS[r.nextInt(MATCH_KEYWORDS.length)];
        text.append(r.nextInt(10) == 0 ? keyword.toUpperCase(Locale.ROOT) : keyword).append(' ');
        if (!params.isEmpty() && r.nextInt(2) == 0 && (keyword.equals("dport") || keyword.equals("sport"))) {
            String p = params.keySet().stream().skip(r.nextInt(params.size())).findFirst().orElseThrow();
            text.append(p);
            RuleType type = keyword.equals("dport") ? RuleType.MATCH_IP_DEST_PORT_RANGE
                    : RuleType.MATCH_IP_SOURCE_PORT_RANGE;
            return args -> {
                int port = Integer.parseInt(args.get(p));
                return new RuleEntry.RangeMatch(type, not, or, port, port);
            };
        }
        RuleEntry e = switch (keyword) {
            case "ztsrc", "ztdest" -> {
                long a = r.nextLong(1L << 40);
                String h = hex10(a);
                if (r.nextInt(3) == 0) {
                    h = h.replaceAll("(..)(?!$)", "$1" + pick(":", "-"));
                }
                text.append(h);
                yield new RuleEntry.AddressMatch(keyword.equals("ztsrc") ? RuleType.MATCH_SOURCE_ZEROTIER_ADDRESS
                        : RuleType.MATCH_DEST_ZEROTIER_ADDRESS, not, or, Address.fromLow40Bits(a));
            }
            case "vlan", "vlanpcp", "vlandei" -> {
                int v = keyword.equals("vlan") ? r.nextInt(65536) : r.nextInt(256);
                text.append(number(v));
                yield new RuleEntry.ValueMatch(switch (keyword) {
                    case "vlan" -> RuleType.MATCH_VLAN_ID;
                    case "vlanpcp" -> RuleType.MATCH_VLAN_PCP;
                    default -> RuleType.MATCH_VLAN_DEI;
                }, not, or, v);
            }
            case "ethertype" -> {
                int v;
                if (r.nextBoolean()) {
                    int i = r.nextInt(ETHERTYPE_NAMES.length);
                    text.append(ETHERTYPE_NAMES[i]);
                    v = ETHERTYPE_VALUES[i];
                } else {
                    v = r.nextInt(65536);
                    text.append(number(v));
                }
                yield new RuleEntry.ValueMatch(RuleType.MATCH_ETHERTYPE, not, or, v);
            }
            case "ipprotocol" -> {
                int v;
                if (r.nextBoolean()) {
                    int i = r.nextInt(PROTOCOL_NAMES.length);
                    text.append(PROTOCOL_NAMES[i]);
                    v = PROTOCOL_VALUES[i];
                } else {
                    v = r.nextInt(256);
                    text.append(number(v));
                }
                yield new RuleEntry.ValueMatch(RuleType.MATCH_IP_PROTOCOL, not, or, v);
            }
            case "macsrc", "macdest" -> {
                long m = r.nextLong(1L << 48);
                String h = String.format("%012x", m);
                if (r.nextBoolean()) {
                    h = h.toUpperCase(Locale.ROOT);
                }
                if (r.nextInt(3) != 0) {
                    h = h.replaceAll("(..)(?!$)", "$1" + pick(":", "-"));
                }
                text.append(h);
                yield new RuleEntry.MacMatch(keyword.equals("macsrc") ? RuleType.MATCH_MAC_SOURCE
                        : RuleType.MATCH_MAC_DEST, not, or, new Mac(m));
            }
            case "ipsrc", "ipdest" -> {
                boolean v6 = r.nextBoolean();
                byte[] ip = new byte[v6 ? 16 : 4];
                int bits = r.nextInt(v6 ? 129 : 33);
                if (v6) {
                    // Host bits zero (the others never match on 1.14.1 nodes; strict mode refuses them).
                    for (int i = 0; i < 16 && 8 * i < bits; i++) {
                        int keep = Math.min(8, bits - 8 * i);
                        ip[i] = (byte) (r.nextInt(256) & (0xff << (8 - keep)));
                    }
                } else {
                    r.nextBytes(ip);
                }
                text.append(InetEndpoint.of(ip, 0).ipString()).append('/').append(bits);
                boolean src = keyword.equals("ipsrc");
                RuleType type = v6 ? (src ? RuleType.MATCH_IPV6_SOURCE : RuleType.MATCH_IPV6_DEST)
                        : (src ? RuleType.MATCH_IPV4_SOURCE : RuleType.MATCH_IPV4_DEST);
                yield new RuleEntry.IpMatch(type, not, or, ip, bits);
            }
            case "iptos" -> {
                int mask = r.nextInt(256);
                int lo = r.nextInt(256);
                int hi = r.nextBoolean() ? lo : lo + r.nextInt(256 - lo);
                text.append(number(mask)).append(' ').append(range(lo, hi));
                yield new RuleEntry.IpTosMatch(not, or, mask, lo, hi);
            }
            case "icmp" -> {
                int type = r.nextInt(256);
                boolean anyCode = r.nextBoolean();
                int code = anyCode ? 0 : r.nextInt(256);
                text.append(number(type)).append(' ').append(anyCode ? "-1" : number(code));
                yield new RuleEntry.IcmpMatch(not, or, type, code, anyCode ? 0 : RuleEntry.IcmpMatch.FLAG_CHECK_CODE);
            }
            case "sport", "dport", "framesize" -> {
                int lo = r.nextInt(65536);
                int hi = r.nextBoolean() ? lo : lo + r.nextInt(65536 - lo);
                text.append(range(lo, hi));
                yield new RuleEntry.RangeMatch(switch (keyword) {
                    case "sport" -> RuleType.MATCH_IP_SOURCE_PORT_RANGE;
                    case "dport" -> RuleType.MATCH_IP_DEST_PORT_RANGE;
                    default -> RuleType.MATCH_FRAME_SIZE_RANGE;
                }, not, or, lo, hi);
            }
            case "chr" -> {
                // 1.14.1 miscompiles bit 63 (or 31) together with other bits of its half; avoid that.
                long mask = 0;
                List<String> items = new ArrayList<>();
                int n = 1 + r.nextInt(4);
                for (int i = 0; i < n; i++) {
                    int bit;
                    String item;
                    if (r.nextBoolean()) {
                        int k = r.nextInt(CHR_NAMES.length);
                        bit = CHR_BITS[k];
                        item = CHR_NAMES[k];
                    } else {
                        bit = r.nextInt(64);
                        item = number(bit);
                    }
                    long candidate = mask | (1L << bit);
                    if (halfOk(candidate >>> 32) && halfOk(candidate & 0xffffffffL)) {
                        mask = candidate;
                        items.add(item);
                    }
                }
                if (items.isEmpty()) {
                    items.add("tcp_syn");
                    mask = 2;
                }
                text.append(String.join(",", items));
                yield new RuleEntry.ValueMatch(RuleType.MATCH_CHARACTERISTICS, not, or, mask);
            }
            case "random" -> {
                String[] forms = {"0", "1", "0.5", "0.25", "0.125", ".75", "0.001", "1.0", "0.3333"};
                String p = forms[r.nextInt(forms.length)];
                text.append(p);
                yield new RuleEntry.ValueMatch(RuleType.MATCH_RANDOM, not, or,
                        (long) Math.floor(4294967295.0 * Double.parseDouble(p)));
            }
            default -> tagMatch(keyword, text, not, or);
        };
        return args -> e;
    }

    private static boolean halfOk(long half) {
        return (half & 0x80000000L) == 0 || half == 0x80000000L;
    }

    private RuleEntry tagMatch(String keyword, StringBuilder text, boolean not, boolean or) {
        int k = 0;
        while (!TAG_MATCHES[k].equals(keyword)) {
            k++;
        }
        RuleType type = TAG_TYPES[k];
        if (!tags.isEmpty() && r.nextInt(3) != 0) {
            TagDefinition t = tags.get(r.nextInt(tags.size()));
            long value;
            String valueText;
            int choice = r.nextInt(3);
            if (choice == 0 && !t.enums().isEmpty()) {
                valueText = t.enums().keySet().stream().skip(r.nextInt(t.enums().size())).findFirst().orElseThrow();
                value = t.enums().get(valueText);
            } else if (choice == 1 && !t.flags().isEmpty()) {
                valueText = t.flags().keySet().stream().skip(r.nextInt(t.flags().size())).findFirst().orElseThrow();
                value = t.flags().get(valueText);
            } else {
                value = r.nextLong(1L << 32);
                valueText = number(value);
            }
            text.append(t.name()).append(' ').append(valueText);
            return new RuleEntry.TagMatch(type, not, or, t.id(), value);
        }
        long id = r.nextLong(1L << 32);
        long value = r.nextLong(1L << 32);
        text.append(number(id)).append(' ').append(number(value));
        return new RuleEntry.TagMatch(type, not, or, id, value);
    }

    // ------------------------------------------------------------------ noise

    private static final String[] NOISE_WORDS = {"drop", "accept", "break", "tee", "watch", "redirect", "priority",
        "macro", "tag", "cap", "include", "id", "default", "enum", "flag", "not", "or", "and", "DROP", "Accept", "NOT",
        "ztsrc", "ztdest", "vlan", "vlanpcp", "vlandei", "ethertype", "macsrc", "macdest", "ipsrc", "ipdest", "iptos",
        "ipprotocol", "icmp", "sport", "dport", "chr", "framesize", "random", "tand", "tor", "txor", "tdiff", "teq",
        "tseq", "treq", "ETHERTYPE", "arp", "ipv4", "ipv6", "tcp", "udp", "icmp4", "icmp6", "0", "1", "-1", "22",
        "65535", "65536", "0x10", "0x", "22abc", "-5", "4294967295", "4294967296", "0123456789", "deadbeef01",
        "ZZZZZZZZZZ", "02:11:22:33:44:55", "0211223344556677", "10.0.0.0/8", "fd00::/8", "fe80::1/10", "1.2.3.4.5/8",
        "::", "10.0.0.1/abc", "/8", "1-2", "2-1", "1--2", "0xff", "0.5", "2", "abc", ".5e1", "tcp_syn,inbound",
        "inbound,multicast", "63", "31,0", "role", "x", "y", "m", "m(1)", "m(1,2)", "m($a)", "m($a,$b)", "$a", "$b",
        "constructor", "__proto__", "toString", "hasOwnProperty", "Role", "server", "client", "bit", "É", "é_1",
        "\u00a05", "\u000b7", "\f", ";", ";;", "#", "#c", "a#b", "x;", "accept;", "drop;", "1;", "arp;", "(", ")",
        "1,2", ",", "9lives", "_u", "naïve"};

    /** Token soup: keywords, arguments, names, semicolons, comments and odd whitespace. */
    static String noise(SplittableRandom r) {
        StringBuilder b = new StringBuilder();
        int n = 1 + r.nextInt(30);
        for (int i = 0; i < n; i++) {
            b.append(NOISE_WORDS[r.nextInt(NOISE_WORDS.length)]);
            int sep = r.nextInt(12);
            b.append(switch (sep) {
                case 0 -> "\n";
                case 1 -> "\r\n";
                case 2 -> "\t";
                case 3 -> " ;\n";
                case 4 -> " # comment\n";
                case 5 -> "\r";
                case 6 -> " #c\r\n";
                default -> " ";
            });
        }
        return b.toString();
    }

    // ------------------------------------------------------------------ text helpers

    private String freshName() {
        String[] stems = {"web", "db", "ssh", "role", "tier", "ns", "app", "ops", "dev", "prod", "x", "grp", "admin",
            "zone", "ü", "_sys"};
        while (true) {
            String n = stems[r.nextInt(stems.length)] + (r.nextBoolean() ? "" : "_" + r.nextInt(100));
            if (!RESERVED.contains(n) && names.add(n)) {
                return n;
            }
        }
    }

    private String mixedCase(String name) {
        return r.nextInt(4) == 0 ? name.toUpperCase(Locale.ROOT) : name;
    }

    private String number(long v) {
        return r.nextInt(3) == 0 ? "0x" + Long.toHexString(v) : Long.toString(v);
    }

    private String range(int lo, int hi) {
        return lo == hi && r.nextBoolean() ? number(lo) : number(lo) + "-" + number(hi);
    }

    private static String hex10(long a) {
        return String.format("%010x", a);
    }

    private String space() {
        return pick(" ", "  ", "\t", "\n  ", "\r\n\t");
    }

    private String separator() {
        return pick(" ", " ", "\t", "\n    ", " # note\n    ", "\r\n  ");
    }

    private String newline() {
        return pick("\n", "\n", "\r\n", " # done\n", "\n\n");
    }

    private String closing() {
        return pick(" ;", "\n;", "\t;", " ; # end");
    }

    private String pick(String... options) {
        return options[r.nextInt(options.length)];
    }

    private static RuleType actionType(String action) {
        return switch (action) {
            case "drop" -> RuleType.ACTION_DROP;
            case "accept" -> RuleType.ACTION_ACCEPT;
            case "break" -> RuleType.ACTION_BREAK;
            case "tee" -> RuleType.ACTION_TEE;
            case "watch" -> RuleType.ACTION_WATCH;
            default -> RuleType.ACTION_REDIRECT;
        };
    }
}
