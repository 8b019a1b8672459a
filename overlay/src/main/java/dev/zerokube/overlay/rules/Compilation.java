package dev.zerokube.overlay.rules;

import dev.zerokube.overlay.rules.SourceTree.Block;
import dev.zerokube.overlay.rules.SourceTree.Node;
import dev.zerokube.overlay.rules.SourceTree.Token;
import dev.zerokube.overlay.wire.InetEndpoint;
import dev.zerokube.overlay.wire.rules.ControllerRuleJson;
import dev.zerokube.overlay.wire.rules.RuleEntry;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * One run of the compiler over one source: pass 2 (definitions) and pass 3 (rendering rules to
 * controller JSON), with the state they share. See {@link RuleCompiler} for the contract.
 *
 * <p>Every refusal 1.14.1 makes is thrown as soon as it is found, in 1.14.1's order (definitions
 * in source order, then the capabilities' rules, then the base rules). Strict mode's own
 * refusals are only collected while compiling ({@link #quirk}); if 1.14.1 would have accepted the
 * program, the earliest of them in the source is thrown at the end.
 */
final class Compilation {
    private static final long U32_MAX = 0xffff_ffffL;
    private static final int BASE_TABLE_ENTRIES_MAX = 1024;
    private static final int CAPABILITY_ENTRIES_MAX = 64;

    /** Bounds on work in both modes (1.14.1 has none, and recursion or doubling macros never end). */
    static final int EXPANSIONS_MAX = 1 << 16;
    static final int ENTRIES_EMITTED_MAX = 1 << 16;
    static final int INCLUDE_DEPTH_MAX = 256;

    private static final Set<String> RESERVED_WORDS = Set.of("macro", "tag", "cap", "default", "drop", "accept",
            "tee", "watch", "redirect", "break", "priority", "ztsrc", "ztdest", "vlan", "vlanpcp", "vlandei",
            "ethertype", "macsrc", "macdest", "ipsrc", "ipdest", "iptos", "ipprotocol", "icmp", "sport", "dport", "chr",
            "framesize", "random", "tand", "tor", "txor", "tdiff", "teq", "tseq", "treq", "type", "enum", "class",
            "define", "import", "include", "log", "not", "xor", "or", "and", "set", "var", "let");

    /*
     * 1.14.1 tests names with JavaScript's "in", which also finds the properties every object
     * inherits. Match arguments are tested as written; definitions after lower-casing, where only
     * two of those names survive.
     */
    private static final Set<String> OBJECT_PROPERTY_NAMES = Set.of("constructor", "__proto__", "__defineGetter__",
            "__defineSetter__", "hasOwnProperty", "__lookupGetter__", "__lookupSetter__", "isPrototypeOf",
            "propertyIsEnumerable", "toString", "valueOf", "toLocaleString");
    private static final Set<String> LOWER_CASE_OBJECT_PROPERTY_NAMES = Set.of("constructor", "__proto__");

    private static final Map<String, Integer> MATCH_ARGUMENTS = Map.ofEntries(
            Map.entry("ztsrc", 1), Map.entry("ztdest", 1), Map.entry("vlan", 1), Map.entry("vlanpcp", 1),
            Map.entry("vlandei", 1), Map.entry("ethertype", 1), Map.entry("macsrc", 1), Map.entry("macdest", 1),
            Map.entry("ipsrc", 1), Map.entry("ipdest", 1), Map.entry("iptos", 2), Map.entry("ipprotocol", 1),
            Map.entry("icmp", 2), Map.entry("sport", 1), Map.entry("dport", 1), Map.entry("chr", 1),
            Map.entry("framesize", 1), Map.entry("random", 1), Map.entry("tand", 2), Map.entry("tor", 2),
            Map.entry("txor", 2), Map.entry("tdiff", 2), Map.entry("teq", 2), Map.entry("tseq", 2),
            Map.entry("treq", 2));

    private static final Map<String, String> MATCH_TYPES = Map.ofEntries(
            Map.entry("ztsrc", "MATCH_SOURCE_ZEROTIER_ADDRESS"), Map.entry("ztdest", "MATCH_DEST_ZEROTIER_ADDRESS"),
            Map.entry("vlan", "MATCH_VLAN_ID"), Map.entry("vlanpcp", "MATCH_VLAN_PCP"),
            Map.entry("vlandei", "MATCH_VLAN_DEI"), Map.entry("ethertype", "MATCH_ETHERTYPE"),
            Map.entry("macsrc", "MATCH_MAC_SOURCE"), Map.entry("macdest", "MATCH_MAC_DEST"),
            Map.entry("iptos", "MATCH_IP_TOS"), Map.entry("ipprotocol", "MATCH_IP_PROTOCOL"),
            Map.entry("icmp", "MATCH_ICMP"), Map.entry("sport", "MATCH_IP_SOURCE_PORT_RANGE"),
            Map.entry("dport", "MATCH_IP_DEST_PORT_RANGE"), Map.entry("chr", "MATCH_CHARACTERISTICS"),
            Map.entry("framesize", "MATCH_FRAME_SIZE_RANGE"), Map.entry("random", "MATCH_RANDOM"),
            Map.entry("tand", "MATCH_TAGS_BITWISE_AND"), Map.entry("tor", "MATCH_TAGS_BITWISE_OR"),
            Map.entry("txor", "MATCH_TAGS_BITWISE_XOR"), Map.entry("tdiff", "MATCH_TAGS_DIFFERENCE"),
            Map.entry("teq", "MATCH_TAGS_EQUAL"), Map.entry("tseq", "MATCH_TAG_SENDER"),
            Map.entry("treq", "MATCH_TAG_RECEIVER"));

    private static final Map<String, Integer> ETHERTYPES = Map.of("ipv4", 0x0800, "arp", 0x0806, "wol", 0x0842,
            "rarp", 0x8035, "ipv6", 0x86dd, "atalk", 0x809b, "aarp", 0x80f3, "ipx_a", 0x8137, "ipx_b", 0x8138);

    // "icmp" is in the table but, being a reserved word, reachable only through a macro argument.
    private static final Map<String, Integer> IP_PROTOCOLS = Map.ofEntries(Map.entry("icmp", 1),
            Map.entry("icmp4", 1), Map.entry("icmpv4", 1), Map.entry("igmp", 2), Map.entry("ipip", 4),
            Map.entry("tcp", 6), Map.entry("egp", 8), Map.entry("igp", 9), Map.entry("udp", 17),
            Map.entry("rdp", 27), Map.entry("esp", 50), Map.entry("ah", 51), Map.entry("icmp6", 58),
            Map.entry("icmpv6", 58), Map.entry("l2tp", 115), Map.entry("sctp", 132), Map.entry("udplite", 136));

    private static final Map<String, Integer> CHARACTERISTIC_BITS = Map.ofEntries(Map.entry("inbound", 63),
            Map.entry("multicast", 62), Map.entry("broadcast", 61), Map.entry("ipauth", 60), Map.entry("macauth", 59),
            Map.entry("tcp_fin", 0), Map.entry("tcp_syn", 1), Map.entry("tcp_rst", 2), Map.entry("tcp_psh", 3),
            Map.entry("tcp_ack", 4), Map.entry("tcp_urg", 5), Map.entry("tcp_ece", 6), Map.entry("tcp_cwr", 7),
            Map.entry("tcp_ns", 8), Map.entry("tcp_rs2", 9), Map.entry("tcp_rs1", 10), Map.entry("tcp_rs0", 11));

    private static final Pattern PLAIN_NUMBER = Pattern.compile("[0-9]+|0[xX][0-9a-fA-F]+");
    private static final Pattern PLAIN_FRACTION = Pattern.compile("[0-9]+(?:\\.[0-9]*)?|\\.[0-9]+");
    private static final Pattern HEX_10 = Pattern.compile("[0-9a-fA-F]{10}");
    private static final Pattern PARAMETER_NAME = Pattern.compile("\\$[\\p{L}\\p{N}_]+");

    private static final String NAME_RULE = "a name: a letter or '_' first, then letters, digits or '_'";
    private static final String NUMBER = "a decimal number or 0x followed by hex digits";

    private record Quirk(Token at, String reason, String expected) {}

    private record Macro(String name, Map<String, Integer> params, int strictParamCount, List<Node> body) {}

    private static final class TagDef {
        final String name;
        double id = -1;
        Token idToken;
        Object defaultValue; // null, a String while defining, then a Double (number) once resolved
        final Map<String, Double> enums = new LinkedHashMap<>();
        final Map<String, Integer> flags = new LinkedHashMap<>();

        TagDef(String name) {
            this.name = name;
        }
    }

    private static final class CapDef {
        final String name;
        double id = -1;
        boolean isDefault;
        final List<Node> body = new ArrayList<>();
        Table table;

        CapDef(String name) {
            this.name = name;
        }
    }

    /** Rendered rules with, for each, the token that produced it (for reporting limits). */
    private static final class Table {
        final List<Map<String, Object>> json = new ArrayList<>();
        final List<Token> origins = new ArrayList<>();
    }

    private final String source;
    private final boolean strict;
    private final SourceTree tree;
    private final List<Quirk> quirks = new ArrayList<>();
    private final Map<String, Macro> macros = new HashMap<>();
    private final Map<String, TagDef> tags = new LinkedHashMap<>();
    private final Map<String, CapDef> caps = new LinkedHashMap<>();
    private final Map<Long, CapDef> capsById = new HashMap<>();
    private final Map<Long, TagDef> tagsById = new HashMap<>();
    private final List<Macro> expanding = new ArrayList<>();
    private int expansions;
    private int emitted;

    Compilation(String source, boolean strict) {
        this.source = source;
        this.strict = strict;
        this.tree = SourceTree.parse(source);
    }

    CompiledRules run() throws RuleSyntaxException {
        if (tree.lostFrom() != null) {
            quirk(tree.lostFrom(), "'" + tree.lostFrom().text() + "' and everything after it would be silently ignored by"
                    + " ZeroTier 1.14.1: the statement '" + tree.unclosedStatement().text() + "' at "
                    + where(tree.unclosedStatement()) + " never ends, because '" + tree.lastOpener().text() + "' at "
                    + where(tree.lastOpener()) + " opens a statement that a separate ';' cannot close.",
                    "a ';' attached to the last word of each statement (for example 'accept;'), and no reserved word"
                            + " as a match argument");
        }
        List<Node> base = defineAll();
        for (CapDef cap : caps.values()) {
            cap.table = new Table();
            renderActions(cap.body, cap.table, Map.of());
        }
        Table baseTable = new Table();
        renderActions(base, baseTable, Map.of());
        if (strict) {
            checkLimits(baseTable, BASE_TABLE_ENTRIES_MAX, "the base rule table");
            for (CapDef cap : caps.values()) {
                checkLimits(cap.table, CAPABILITY_ENTRIES_MAX, "capability '" + cap.name + "'");
            }
            Quirk first = quirks.stream().min(Comparator.comparingInt(q -> q.at().offset())).orElse(null);
            if (first != null) {
                throw exception(first.at(), first.at().line(), first.at().column(), first.reason(), first.expected(),
                        first.at().text(), true);
            }
        }
        return result(baseTable);
    }

    // ---------------------------------------------------------------- pass 2: definitions

    private List<Node> defineAll() throws RuleSyntaxException {
        List<Node> base = new ArrayList<>();
        List<Node> root = tree.root();
        for (int i = 0; i < root.size(); i++) {
            Node n = root.get(i);
            String keyword = n instanceof Token t ? Js.lower(t.text()) : "";
            switch (keyword) {
                case "macro" -> defineMacro(definitionBlock(root, i, "Macro definition is missing name.", "macro"));
                case "tag" -> defineTag(definitionBlock(root, i, "Tag definition is missing name.", "tag"));
                case "cap" -> defineCap(definitionBlock(root, i, "Capability definition is missing name.", "capability"));
                default -> {
                    base.add(n);
                    continue;
                }
            }
            i++;
        }
        return base;
    }

    private Block definitionBlock(List<Node> root, int i, String reason, String what) throws RuleSyntaxException {
        if (i + 1 >= root.size() || !(root.get(i + 1) instanceof Block b)) {
            throw error(root.get(i), reason, "a " + what + " name and its body after '" + Js.lower(
                    ((Token) root.get(i)).text()) + "', ended by a ';' that is not the first thing after a keyword");
        }
        return b;
    }

    private String definedName(Token nameToken, String name, String what, Map<String, ?> existing)
            throws RuleSyntaxException {
        if (!isValidName(name)) {
            throw error(nameToken, "Invalid " + what + " name.", NAME_RULE);
        }
        if (RESERVED_WORDS.contains(name) || LOWER_CASE_OBJECT_PROPERTY_NAMES.contains(name)) {
            throw error(nameToken, capitalized(what) + " name is a reserved word.", "a name that is not a reserved word");
        }
        if (existing.containsKey(name)) {
            throw error(nameToken, "Multiple definition of " + what + " name.", "a " + what + " name not used before");
        }
        return name;
    }

    private void defineMacro(Block block) throws RuleSyntaxException {
        Token nameToken = block.firstToken();
        String name = Js.lower(nameToken.text());
        Map<String, Integer> params = new LinkedHashMap<>();
        int strictParamCount = 0;
        int paren = name.indexOf('(');
        if (paren > 0) {
            List<String> pieces = Js.splitRuns(name.substring(paren + 1), ",)");
            for (int k = 0; k < pieces.size(); k++) {
                String p = pieces.get(k);
                // 1.14.1 stores parameters in a plain object, where "__proto__" cannot be a key.
                if (!p.isEmpty() && !p.equals("__proto__")) {
                    params.put(p, k);
                }
            }
            strictParamCount = checkParameterList(nameToken, name.substring(paren), true);
            name = name.substring(0, paren);
        }
        definedName(nameToken, name, "macro", macros);
        macros.put(name, new Macro(name, params, strictParamCount,
                List.copyOf(block.items().subList(1, block.items().size()))));
    }

    /**
     * Strict form of a macro's parameter list or an include's argument list (starting at its
     * '('): items separated by single commas, closed by ')' at the very end, parameters written
     * {@code $name} and distinct. Returns the number of items.
     */
    private int checkParameterList(Token at, String list, boolean definition) {
        if (!strict) {
            return 0;
        }
        String what = definition ? "parameter list" : "argument list";
        if (!list.endsWith(")") || list.indexOf(')') != list.length() - 1) {
            quirk(at, "The macro " + what + " must end with its only ')'; ZeroTier 1.14.1 ignores what"
                    + " follows or is missing.", "name(" + (definition ? "$a,$b" : "a,b") + ") without spaces");
            return 0;
        }
        String inner = list.substring(1, list.length() - 1);
        if (inner.isEmpty()) {
            return 0;
        }
        String[] items = inner.split(",", -1);
        List<String> seen = new ArrayList<>();
        for (String item : items) {
            if (item.isEmpty()) {
                quirk(at, "Empty item in the macro " + what + "; ZeroTier 1.14.1 shifts the following ones.",
                        "items separated by single commas");
            } else if (definition && !PARAMETER_NAME.matcher(item).matches()) {
                quirk(at, "Macro parameter '" + item + "' cannot be referred to: parameter names start with '$'.",
                        "$ followed by letters, digits or '_'");
            } else if (definition && seen.contains(item)) {
                quirk(at, "Macro parameter '" + item + "' is declared twice; ZeroTier 1.14.1 keeps the last position.",
                        "distinct parameter names");
            }
            seen.add(item);
        }
        return items.length;
    }

    private void defineTag(Block block) throws RuleSyntaxException {
        List<Node> items = block.items();
        Token nameToken = block.firstToken();
        String name = definedName(nameToken, Js.lower(nameToken.text()), "tag", tags);
        TagDef tag = new TagDef(name);
        Token defaultToken = null;
        for (int k = 1; k < items.size(); k++) {
            Token keywordToken = tagToken(items.get(k));
            switch (Js.lower(keywordToken.text())) {
                case "id" -> {
                    if (tag.id >= 0) {
                        throw error(keywordToken, "Duplicate tag id definition.", "one 'id' per tag");
                    }
                    if (k + 1 >= items.size()) {
                        throw error(keywordToken, "Missing numeric value for ID.", "a tag id 0..4294967295 after 'id'");
                    }
                    Node valueNode = items.get(++k);
                    double id = valueNode instanceof Token v ? Js.parseNum(v.text()) : Js.NOT_A_NUMBER;
                    if (id < 0 || id > U32_MAX) {
                        throw error(valueNode, "Invalid or out of range tag ID.", "a tag id 0..4294967295");
                    }
                    tag.id = id;
                    tag.idToken = (Token) valueNode;
                    strictNumber(tag.idToken, false);
                }
                case "default" -> {
                    if (tag.defaultValue != null) {
                        throw error(keywordToken, "Duplicate tag default directive.", "one 'default' per tag");
                    }
                    if (k + 1 >= items.size()) {
                        throw error(keywordToken, "Missing value for default.", "a value after 'default'");
                    }
                    defaultToken = tagToken(items.get(++k));
                    tag.defaultValue = defaultToken.text();
                }
                case "flag" -> {
                    if (k + 2 >= items.size()) {
                        throw error(keywordToken, "Missing tag flag name or bit index.",
                                "'flag', bit indices or earlier flag names separated by commas, then the flag's name");
                    }
                    Token bitsToken = tagToken(items.get(++k));
                    int mask = flagMask(tag, bitsToken);
                    Token flagToken = tagToken(items.get(++k));
                    String flagName = Js.lower(flagToken.text());
                    if (!isValidName(flagName)) {
                        throw error(flagToken, "Invalid or reserved flag name.", NAME_RULE);
                    }
                    if (tag.flags.containsKey(flagName) || LOWER_CASE_OBJECT_PROPERTY_NAMES.contains(flagName)) {
                        throw error(flagToken, "Duplicate flag name in tag definition.", "a flag name new to this tag");
                    }
                    if (strict && tag.enums.containsKey(flagName)) {
                        quirk(flagToken, "'" + flagName + "' is both an enum and a flag of tag '" + name
                                + "'; ZeroTier 1.14.1 takes the enum for 'default' and the flag in matches.",
                                "distinct enum and flag names");
                    }
                    tag.flags.put(flagName, mask);
                }
                case "enum" -> {
                    if (k + 2 >= items.size()) {
                        throw error(keywordToken, "Missing tag enum name or value.", "'enum', a value, then a name");
                    }
                    Node valueNode = items.get(++k);
                    double value = valueNode instanceof Token v ? Js.parseNum(v.text()) : Js.NOT_A_NUMBER;
                    if (value < 0 || value > U32_MAX) {
                        throw error(valueNode, "Tag enum value invalid or out of range.", "a value 0..4294967295");
                    }
                    strictNumber((Token) valueNode, false);
                    Token enumToken = tagToken(items.get(++k));
                    String enumName = Js.lower(enumToken.text());
                    if (!isValidName(enumName)) {
                        throw error(enumToken, "Invalid or reserved tag enum name.", NAME_RULE);
                    }
                    if (tag.enums.containsKey(enumName) || LOWER_CASE_OBJECT_PROPERTY_NAMES.contains(enumName)) {
                        throw error(enumToken, "Duplicate enum name in tag definition.", "an enum name new to this tag");
                    }
                    if (strict && tag.flags.containsKey(enumName)) {
                        quirk(enumToken, "'" + enumName + "' is both a flag and an enum of tag '" + name
                                + "'; ZeroTier 1.14.1 takes the enum for 'default' and the flag in matches.",
                                "distinct enum and flag names");
                    }
                    tag.enums.put(enumName, value);
                }
                default -> throw error(keywordToken, "Unrecognized keyword in tag definition.",
                        "'id', 'default', 'enum' or 'flag'");
            }
        }
        if (tag.id < 0) {
            throw error(nameToken, "Tag definition is missing a numeric ID.", "'id' and a number in the tag definition");
        }
        if (tag.defaultValue instanceof String text) {
            tag.defaultValue = resolveTagDefault(tag, text, defaultToken);
        }
        TagDef other = tagsById.putIfAbsent(Js.integral(tag.id), tag);
        if (other != null) {
            quirk(tag.idToken, "Tag id " + Js.integral(tag.id) + " is also the id of tag '" + other.name
                    + "'; the controller would keep only one of them.", "a tag id not used by another tag");
        }
        tags.put(name, tag);
    }

    /** In 1.14.1 a block inside a tag definition makes the compiler fail with an internal error. */
    private Token tagToken(Node n) throws RuleSyntaxException {
        if (n instanceof Token t) {
            return t;
        }
        throw crash(n, "A statement cannot appear inside a tag definition.", "'id', 'default', 'enum' or 'flag'");
    }

    private int flagMask(TagDef tag, Token bitsToken) throws RuleSyntaxException {
        int mask = 0;
        for (String piece : Js.splitRuns(bitsToken.text(), ",")) {
            String b = Js.lower(piece);
            Integer earlier = tag.flags.get(b);
            if (earlier != null) {
                mask |= earlier;
            } else if (LOWER_CASE_OBJECT_PROPERTY_NAMES.contains(b)) {
                // 1.14.1 finds an inherited object property here and ORs in nothing.
                quirk(bitsToken, "'" + piece + "' is not a flag of tag '" + tag.name
                        + "'; ZeroTier 1.14.1 would silently add no bit.", "bit indices 0..30 or earlier flag names");
            } else {
                double bit = Js.parseNum(b);
                if (bit < 0 || bit > 31) {
                    throw error(bitsToken, "Bit index invalid, out of range, or references an undefined flag name.",
                            "bit indices 0..31 or earlier flag names separated by commas");
                }
                if (strict) {
                    if (!PLAIN_NUMBER.matcher(piece).matches()) {
                        quirk(bitsToken, "'" + piece + "' is not a plain number; ZeroTier 1.14.1 reads it as bit "
                                + Js.integral(bit) + ".", "bit indices 0..30 or earlier flag names");
                    } else if (bit == 31) {
                        quirk(bitsToken, "A flag on bit 31 gets a negative value in ZeroTier 1.14.1's compiler, so"
                                + " no match can use it.", "bit indices 0..30");
                    }
                }
                mask |= 1 << (int) bit;
            }
        }
        return mask;
    }

    private Double resolveTagDefault(TagDef tag, String text, Token at) {
        Double enumValue = tag.enums.get(text);
        if (enumValue != null) {
            return enumValue;
        }
        Integer flagValue = tag.flags.get(text);
        if (flagValue != null) {
            return (double) flagValue;
        }
        double parsed = Js.parseInt(text, 0);
        if (Double.isNaN(parsed) || parsed == 0) {
            parsed = 0;
        }
        int value = Js.toInt32(Math.abs(parsed));
        if (strict && !(PLAIN_NUMBER.matcher(text).matches() && parsed <= U32_MAX)) {
            quirk(at, "'" + text + "' is not an enum name, a flag name or a number 0..4294967295 of tag '" + tag.name
                    + "'; ZeroTier 1.14.1 would use " + Integer.toUnsignedString(value) + ".",
                    "an enum or flag name of the tag (lower case) or a number");
        }
        return (double) value;
    }

    private void defineCap(Block block) throws RuleSyntaxException {
        List<Node> items = block.items();
        Token nameToken = block.firstToken();
        String name = definedName(nameToken, Js.lower(nameToken.text()), "capability", caps);
        CapDef cap = new CapDef(name);
        for (int k = 1; k < items.size(); k++) {
            Node item = items.get(k);
            String word = item instanceof Token t ? Js.lower(t.text()) : "";
            if (word.equals("id")) {
                if (cap.id >= 0) {
                    throw error(item, "Duplicate id directive in capability definition.", "one 'id' per capability");
                }
                if (k + 1 >= items.size()) {
                    throw error(item, "Missing value for ID.", "a capability id 0..4294967295 after 'id'");
                }
                Node valueNode = items.get(++k);
                double id = valueNode instanceof Token v ? Js.parseNum(v.text()) : Js.NOT_A_NUMBER;
                if (id < 0 || id > U32_MAX) {
                    throw error(item, "Invalid or out of range capability ID.", "a capability id 0..4294967295");
                }
                if (capsById.containsKey(Js.integral(id))) {
                    throw error(item, "Duplicate capability ID.", "an id no other capability has");
                }
                strictNumber((Token) valueNode, false);
                cap.id = id;
            } else if (word.equals("default")) {
                cap.isDefault = true;
            } else {
                cap.body.add(item);
            }
        }
        if (cap.id < 0) {
            throw error(nameToken, "Capability definition is missing a numeric ID.",
                    "'id' and a number in the capability definition");
        }
        caps.put(name, cap);
        capsById.put(Js.integral(cap.id), cap);
    }

    // ---------------------------------------------------------------- pass 3: rendering

    private void renderActions(List<Node> statements, Table out, Map<String, String> params)
            throws RuleSyntaxException {
        for (int k = 0; k < statements.size(); k++) {
            Node item = statements.get(k);
            if (!(item instanceof Token token)) {
                quirk(item.firstToken(), "This statement has no action, so ZeroTier 1.14.1 would silently ignore it.",
                        "drop, accept, break, tee, watch, redirect or include");
                continue;
            }
            Node next = k + 1 < statements.size() ? statements.get(k + 1) : null;
            String action = Js.lower(token.text());
            switch (action) {
                case "include" -> {
                    if (next == null) {
                        throw error(token, "Include directive is missing a macro name.", "a macro name after 'include'");
                    }
                    k++;
                    include(next, out);
                }
                case "drop", "accept", "break" -> {
                    if (next instanceof Block matches) {
                        k++;
                        renderMatches(matches.items(), out, params);
                    }
                    emit(out, token, rule(switch (action) {
                        case "drop" -> "ACTION_DROP";
                        case "accept" -> "ACTION_ACCEPT";
                        default -> "ACTION_BREAK";
                    }));
                }
                case "tee", "watch" -> {
                    if (!(next instanceof Block args)) {
                        throw error(token, "The tee and watch actions require two paremters (max length or 0 for all,"
                                + " target).", "'" + action + "', a length (-1 or 0..65535), a 10-digit address");
                    }
                    k++;
                    forward(action, token, args.items(), out, params);
                }
                case "redirect" -> {
                    if (!(next instanceof Block args)) {
                        throw error(token, "The redirect action requires a target parameter.",
                                "'redirect' and a 10-digit ZeroTier address");
                    }
                    k++;
                    Node targetNode = args.items().get(0);
                    String target = targetNode instanceof Token t ? t.text() : null;
                    if (target == null || target.length() != 10) {
                        throw error(targetNode, "Missing or invalid ZeroTier address target for redirect.",
                                "a 10-digit ZeroTier address");
                    }
                    strictTarget((Token) targetNode);
                    renderMatches(args.items().subList(1, args.items().size()), out, params);
                    Map<String, Object> r = rule("ACTION_REDIRECT");
                    r.put("address", target);
                    emit(out, token, r);
                }
                default -> throw error(token, "Unrecognized action or directive in rule set.",
                        "drop, accept, break, tee, watch, redirect, include, macro, tag or cap (actions in lower case)");
            }
        }
    }

    private void include(Node nameNode, Table out) throws RuleSyntaxException {
        if (!(nameNode instanceof Token nameToken)) {
            throw error(nameNode, "Macro name not found.", "a defined macro's name after 'include'");
        }
        String name = nameToken.text();
        List<String> args = new ArrayList<>();
        int paren = name.indexOf('(');
        int strictArgCount = 0;
        if (paren > 0) {
            for (String piece : Js.splitRuns(name.substring(paren + 1), ",)")) {
                if (!piece.isEmpty()) {
                    args.add(piece);
                }
            }
            strictArgCount = checkParameterList(nameToken, name.substring(paren), false);
            name = name.substring(0, paren);
        }
        if (OBJECT_PROPERTY_NAMES.contains(name)) {
            // 1.14.1 finds an inherited object property, takes it for a macro and fails internally.
            throw crash(nameToken, "Macro name not found.", "the name of a defined macro, in lower case");
        }
        Macro macro = macros.get(name);
        if (macro == null) {
            throw error(nameToken, "Macro name not found.", "the name of a defined macro, in lower case");
        }
        Map<String, String> values = new HashMap<>();
        for (Map.Entry<String, Integer> p : macro.params().entrySet()) {
            if (p.getValue() >= args.size()) {
                throw error(nameToken, "Missing one or more required macro parameter.",
                        "one argument for each parameter of macro '" + macro.name() + "'");
            }
            values.put(p.getKey(), args.get(p.getValue()));
        }
        if (strict && strictArgCount != macro.strictParamCount()) {
            quirk(nameToken, "Macro '" + macro.name() + "' takes " + macro.strictParamCount() + " argument(s), not "
                    + strictArgCount + "; ZeroTier 1.14.1 ignores extra ones.",
                    "exactly one argument per parameter");
        }
        if (expanding.contains(macro)) {
            // 1.14.1 recurses until its stack overflows and reports an internal error.
            throw crash(nameToken, "Macro '" + macro.name() + "' includes itself, directly or through other macros.",
                    "macros that do not include themselves");
        }
        if (expanding.size() >= INCLUDE_DEPTH_MAX) {
            throw error(nameToken, "Macros nested too deeply (more than " + INCLUDE_DEPTH_MAX + " includes deep).",
                    "fewer nested includes");
        }
        if (++expansions > EXPANSIONS_MAX) {
            throw error(nameToken, "Too many macro expansions (more than " + EXPANSIONS_MAX + ").",
                    "fewer nested includes");
        }
        expanding.add(macro);
        renderActions(macro.body(), out, values);
        expanding.removeLast();
    }

    private void forward(String action, Token actionToken, List<Node> args, Table out, Map<String, String> params)
            throws RuleSyntaxException {
        Node lengthNode = args.get(0);
        double length = lengthNode instanceof Token t ? Js.parseNum(t.text()) : Js.NOT_A_NUMBER;
        if (args.size() < 2) {
            // 1.14.1 reads the missing address and fails with an internal error.
            throw crash(args.get(0), "The " + action + " action requires a length and a target address.",
                    "'" + action + "', a length (-1 or 0..65535), a 10-digit ZeroTier address");
        }
        Node targetNode = args.get(1);
        if (length < -1 || length > 0xffff) {
            // 1.14.1 reports the line of the length and the column of the address.
            Token l = lengthNode.firstToken();
            throw exception(l, l.line(), targetNode.firstToken().column(),
                    "Tee/watch max packet length to forward invalid or out of range.",
                    "-1 or 0..65535 (0 and -1 copy the whole frame)", l.text(), false);
        }
        if (strict) {
            Token l = lengthNode.firstToken();
            if (!(lengthNode instanceof Token) || !PLAIN_NUMBER.matcher(l.text()).matches() && !l.text().equals("-1")) {
                quirk(l, "'" + l.text() + "' is not a number; ZeroTier 1.14.1 reads it as " + Js.integral(length)
                        + (length == -1 ? " (the whole frame)." : "."), "-1 or 0..65535");
            }
        }
        String target = targetNode instanceof Token t ? t.text() : null;
        if (target == null || target.length() != 10) {
            throw error(targetNode, "Missing or invalid ZeroTier address target for tee/watch.",
                    "a 10-digit ZeroTier address");
        }
        strictTarget((Token) targetNode);
        renderMatches(args.subList(2, args.size()), out, params);
        Map<String, Object> r = rule(action.equals("tee") ? "ACTION_TEE" : "ACTION_WATCH");
        r.put("address", target);
        r.put("length", Js.integral(length));
        emit(out, actionToken, r);
    }

    private void strictTarget(Token target) {
        if (strict && !HEX_10.matcher(target.text()).matches()) {
            quirk(target, "'" + target.text() + "' is not a ZeroTier address; a 1.14.1 controller would use "
                    + String.format("%010x", hexPrefixValue(target.text())) + ".", "10 hex digits");
        }
    }

    // The controller reads the address with strtoull(..., 16): the leading hex digits count.
    private static long hexPrefixValue(String text) {
        long v = 0;
        int i = text.startsWith("0x") || text.startsWith("0X") ? 2 : 0;
        for (; i < text.length() && Character.digit(text.charAt(i), 16) >= 0 && text.charAt(i) < 128; i++) {
            v = (v << 4) | Character.digit(text.charAt(i), 16);
        }
        return v & 0xff_ffff_ffffL;
    }

    private void renderMatches(List<Node> items, Table out, Map<String, String> params) throws RuleSyntaxException {
        boolean not = false;
        boolean or = false;
        Token notToken = null;
        Token andOrToken = null;
        boolean first = true;
        for (int k = 0; k < items.size(); k++) {
            Node item = items.get(k);
            if (!(item instanceof Token token)) {
                quirk(item.firstToken(), "This nested statement would be silently ignored by ZeroTier 1.14.1.",
                        "matches only, then ';'");
                continue;
            }
            String match = Js.lower(token.text());
            switch (match) {
                case "and", "or" -> {
                    if (strict && andOrToken != null) {
                        quirk(token, "'" + Js.lower(andOrToken.text()) + "' and '" + match + "' before the same match.",
                                "at most one of 'and', 'or' before a match");
                    }
                    andOrToken = token;
                    or |= match.equals("or");
                    continue;
                }
                case "not" -> {
                    if (strict && notToken != null) {
                        quirk(token, "'not not' means a single 'not' in ZeroTier 1.14.1.", "at most one 'not' per match");
                    }
                    notToken = token;
                    not = true;
                    continue;
                }
                default -> {
                    // handled below
                }
            }
            if (LOWER_CASE_OBJECT_PROPERTY_NAMES.contains(match)) {
                // 1.14.1 finds an inherited property in its argument-count table and skips the word.
                quirk(token, "'" + token.text() + "' is not a match; ZeroTier 1.14.1 would silently ignore it.",
                        "a match keyword");
                not = false;
                or = false;
                notToken = null;
                andOrToken = null;
                continue;
            }
            Integer argCount = MATCH_ARGUMENTS.get(match);
            if (argCount == null) {
                throw error(token, "Unrecognized match type \"" + match + "\".",
                        "a match keyword (ztsrc, ztdest, vlan, vlanpcp, vlandei, ethertype, macsrc, macdest, ipsrc,"
                                + " ipdest, iptos, ipprotocol, icmp, sport, dport, chr, framesize, random, tand, tor,"
                                + " txor, tdiff, teq, tseq, treq), 'not', 'or' or 'and'");
            }
            List<Token> args = new ArrayList<>(argCount);
            for (int a = 0; a < argCount; a++) {
                if (++k >= items.size()) {
                    throw error(items.get(k - 1), "Missing argument(s) to match.",
                            "'" + match + "' with " + argCount + " argument" + (argCount > 1 ? "s" : ""));
                }
                Node argNode = items.get(k);
                if (!(argNode instanceof Token arg) || RESERVED_WORDS.contains(arg.text())
                        || OBJECT_PROPERTY_NAMES.contains(arg.text())) {
                    throw error(items.get(k - 1),
                            "Missing argument(s) to match (invalid argument or argument is reserved word).",
                            "'" + match + "' with " + argCount + " argument" + (argCount > 1 ? "s" : "")
                                    + " that are not reserved words");
                }
                if (arg.text().startsWith("$")) {
                    String value = params.get(arg.text());
                    if (value == null) {
                        throw error(arg, "Undefined variable name.", "a parameter of the enclosing macro, in lower case");
                    }
                    args.add(arg.withText(value));
                } else {
                    args.add(arg);
                }
            }
            if (strict && first && or) {
                quirk(andOrToken, "'or' before the first match of a statement has no effect (each statement's matches"
                        + " start from true), so this rule would match every frame.", "'or' only between matches");
            }
            emit(out, token, match(match, args, not, or));
            first = false;
            not = false;
            or = false;
            notToken = null;
            andOrToken = null;
        }
        if (notToken != null || andOrToken != null) {
            Token dangling = notToken != null ? notToken : andOrToken;
            quirk(dangling, "'" + dangling.text() + "' at the end of a statement applies to no match and would be"
                    + " ignored by ZeroTier 1.14.1.", "a match after '" + dangling.text() + "'");
        }
    }

    private Map<String, Object> match(String match, List<Token> args, boolean not, boolean or)
            throws RuleSyntaxException {
        Token a0 = args.get(0);
        Map<String, Object> r = rule(MATCH_TYPES.get(match), not, or);
        switch (match) {
            case "ztsrc", "ztdest" -> {
                String zt = cleanHex(a0.text());
                if (zt.length() != 10) {
                    throw error(a0, "Invalid ZeroTier address.", "a 10-digit ZeroTier address");
                }
                strictHexWithSeparators(a0, 10, "a 10-digit ZeroTier address", zt);
                r.put("zt", zt);
            }
            case "vlan", "vlanpcp", "vlandei", "ethertype", "ipprotocol" -> {
                Integer named = switch (match) {
                    case "ethertype" -> ETHERTYPES.get(a0.text());
                    case "ipprotocol" -> IP_PROTOCOLS.get(a0.text());
                    default -> null;
                };
                double num = named != null ? named : Js.parseNum(a0.text());
                if (num < 0 || num > U32_MAX) {
                    throw error(a0, "Invalid numeric value.", valueExpectation(match));
                }
                if (named == null) {
                    strictNumber(a0, false);
                }
                int bits = match.equals("vlan") || match.equals("ethertype") ? 16 : 8;
                if (strict && num > (1 << bits) - 1) {
                    long kept = Js.integral(num) & ((1L << bits) - 1);
                    quirk(a0, match + " " + Js.integral(num) + " does not fit in " + bits + " bits; a 1.14.1 controller"
                            + " would keep only " + kept + ".", "0.." + ((1 << bits) - 1));
                }
                r.put(switch (match) {
                    case "vlan" -> "vlanId";
                    case "vlanpcp" -> "vlanPcp";
                    case "vlandei" -> "vlanDei";
                    case "ethertype" -> "etherType";
                    default -> "ipProtocol";
                }, Js.integral(num));
            }
            case "random" -> {
                double p = Js.parseFloat(a0.text());
                if (Double.isNaN(p) || p == 0) {
                    p = 0;
                }
                p = Math.min(Math.max(p, 0), 1);
                long probability = (long) Math.floor(4294967295.0 * p);
                if (strict && !(PLAIN_FRACTION.matcher(a0.text()).matches() && Js.parseFloat(a0.text()) <= 1)) {
                    quirk(a0, "'" + a0.text() + "' is not a probability from 0 to 1; ZeroTier 1.14.1 would use "
                            + (probability == 0 ? "0" : probability == U32_MAX ? "1" : Double.toString(p)) + ".",
                            "a decimal fraction from 0 to 1");
                }
                r.put("probability", probability);
            }
            case "macsrc", "macdest" -> {
                String hex = cleanHex(a0.text());
                if (hex.length() < 12) {
                    throw error(a0, "Invalid MAC address.", "a MAC address of 12 hex digits");
                }
                StringBuilder mac = new StringBuilder();
                for (int i = 0; i < 12; i += 2) {
                    mac.append(i == 0 ? "" : ":").append(hex, i, i + 2);
                }
                strictHexWithSeparators(a0, 12, "a MAC address of 12 hex digits", mac.toString());
                r.put("mac", mac.toString());
            }
            case "ipsrc", "ipdest" -> {
                String text = a0.text();
                int slash = text.indexOf('/');
                if (slash <= 0) {
                    throw error(a0, "Missing /bits netmask length designation in IP.", "ADDRESS/BITS");
                }
                String address = text.substring(0, slash);
                boolean v6 = Js.looksLikeIpv6(address);
                if (!v6 && !Js.looksLikeIpv4(address)) {
                    throw error(a0, "Invalid IP address (not valid IPv4 or IPv6).", "an IPv4 or IPv6 ADDRESS/BITS");
                }
                String side = match.equals("ipsrc") ? "SOURCE" : "DEST";
                r.put("type", (v6 ? "MATCH_IPV6_" : "MATCH_IPV4_") + side);
                r.put("ip", text);
                strictIp(a0, address, text.substring(slash + 1), v6, r);
            }
            case "icmp" -> {
                double type = Js.parseNum(a0.text());
                if (type < 0 || type > 0xff) {
                    throw error(a0, "Missing or invalid ICMP type.", "an ICMP type 0..255");
                }
                Token a1 = args.get(1);
                double code = Js.parseNum(a1.text());
                if (code > 0xff) {
                    throw error(a1, "Invalid ICMP code (use -1 for none).", "an ICMP code 0..255, or -1 for any code");
                }
                strictNumber(a0, false);
                if (strict && !a1.text().equals("-1")) {
                    if (code < 0) {
                        quirk(a1, "'" + a1.text() + "' is not an ICMP code; ZeroTier 1.14.1 would match any code.",
                                "an ICMP code 0..255, or -1 for any code");
                    } else {
                        strictNumber(a1, false);
                    }
                }
                r.put("icmpType", Js.integral(type));
                r.put("icmpCode", code < 0 ? null : (Object) Js.integral(code));
            }
            case "sport", "dport", "framesize" -> {
                double[] range = range(a0, 0xffff, "Invalid numeric range.", "a number or LOW-HIGH within 0..65535");
                r.put("start", Js.integral(range[0]));
                r.put("end", Js.integral(range[1]));
            }
            case "iptos" -> {
                double mask = Js.parseNum(a0.text());
                if (mask < 0 || mask > 0xff) {
                    throw error(a0, "Invalid mask.", "a mask 0..255");
                }
                strictNumber(a0, false);
                double[] range = range(args.get(1), 0xff, "Invalid value range.", "a value or LOW-HIGH within 0..255");
                r.put("mask", Js.integral(mask));
                r.put("start", Js.integral(range[0]));
                r.put("end", Js.integral(range[1]));
            }
            case "chr" -> r.put("mask", characteristics(a0));
            default -> tagMatch(args, r);
        }
        return r;
    }

    private static String valueExpectation(String match) {
        return switch (match) {
            case "ethertype" -> "a number or one of ipv4, arp, wol, rarp, ipv6, atalk, aarp, ipx_a, ipx_b";
            case "ipprotocol" -> "a number or one of icmp4, icmpv4, igmp, ipip, tcp, egp, igp, udp, rdp, esp, ah,"
                    + " icmp6, icmpv6, l2tp, sctp, udplite";
            default -> "a number";
        };
    }

    private double[] range(Token arg, int max, String reason, String expected) throws RuleSyntaxException {
        String text = arg.text();
        double low;
        double high;
        if (text.indexOf('-') > 0) {
            String[] parts = text.split("-", -1);
            if (parts.length != 2) {
                throw error(arg, reason, expected);
            }
            low = Js.parseNum(parts[0]);
            high = Js.parseNum(parts[1]);
        } else {
            low = Js.parseNum(text);
            high = low;
        }
        if (low < 0 || low > max || high < 0 || high > max || high < low) {
            throw error(arg, reason, expected);
        }
        if (strict) {
            for (String part : text.split("-", -1)) {
                if (!PLAIN_NUMBER.matcher(part).matches()) {
                    quirk(arg, "'" + text + "' is not a number or LOW-HIGH of plain numbers; ZeroTier 1.14.1 reads it"
                            + " as " + Js.integral(low) + "-" + Js.integral(high) + ".", expected);
                    break;
                }
            }
        }
        return new double[] {low, high};
    }

    private String characteristics(Token arg) throws RuleSyntaxException {
        int high = 0;
        int low = 0;
        long wanted = 0;
        for (String piece : Js.splitRuns(arg.text(), ",")) {
            if (piece.isEmpty()) {
                continue;
            }
            Integer named = CHARACTERISTIC_BITS.get(piece);
            double bit = named != null ? named : Js.parseNum(piece);
            if (bit < 0 || bit > 63) {
                throw error(arg, "Invalid bit index (range 0-63) or unrecognized name.",
                        "bit numbers 0..63 or names (inbound, multicast, broadcast, ipauth, macauth, tcp_fin, tcp_syn,"
                                + " tcp_rst, tcp_psh, tcp_ack, tcp_urg, tcp_ece, tcp_cwr, tcp_ns, tcp_rs2, tcp_rs1,"
                                + " tcp_rs0) separated by commas");
            }
            if (strict && named == null && !PLAIN_NUMBER.matcher(piece).matches()) {
                quirk(arg, "'" + piece + "' is not a plain bit number; ZeroTier 1.14.1 reads it as "
                        + Js.integral(bit) + ".", "bit numbers 0..63 or names");
            }
            int b = (int) bit;
            wanted |= 1L << b;
            if (b >= 32) {
                high |= 1 << (b - 32);
            } else {
                low |= 1 << b;
            }
        }
        // 1.14.1 writes each 32-bit half as the hex of its absolute value as a signed int: a half
        // with its top bit and any other bit set comes out as a different mask.
        String mask = String.format("%08x%08x", Math.abs((long) high), Math.abs((long) low));
        if (strict && Long.parseUnsignedLong(mask, 16) != wanted) {
            quirk(arg, "ZeroTier 1.14.1's compiler turns these characteristics into mask " + mask + " instead of "
                    + String.format("%016x", wanted) + " (bit 63 or 31 with another bit of the same half).",
                    "bit 63 (or 31) alone in its half of the mask, or separate chr matches joined by 'or'");
        }
        return mask;
    }

    private void tagMatch(List<Token> args, Map<String, Object> r) throws RuleSyntaxException {
        Token a0 = args.get(0);
        Token a1 = args.get(1);
        TagDef tag = tags.get(a0.text());
        double id;
        double value;
        boolean valueIsNumber = true;
        if (tag != null) {
            id = tag.id;
            Integer flag = tag.flags.get(a1.text());
            Double enumValue = tag.enums.get(a1.text());
            if (flag != null) {
                value = flag;
                valueIsNumber = false;
            } else if (enumValue != null) {
                value = enumValue;
                valueIsNumber = false;
            } else {
                value = Js.parseNum(a1.text());
            }
        } else {
            id = Js.parseNum(a0.text());
            value = Js.parseNum(a1.text());
            if (id >= 0 && id <= U32_MAX) {
                strictNumber(a0, false);
            }
        }
        if (id < 0 || id > U32_MAX) {
            throw error(a0, "Undefined tag name and invalid tag value.", "a defined tag's name or a tag id 0..4294967295");
        }
        if (value < 0 || value > U32_MAX) {
            throw error(a1, "Invalid tag value or unrecognized flag/enum name.",
                    "a value 0..4294967295" + (tag != null ? " or a flag or enum name of tag '" + tag.name + "'" : ""));
        }
        if (valueIsNumber) {
            strictNumber(a1, false);
        }
        r.put("id", Js.integral(id));
        r.put("value", Js.integral(value));
    }

    private void strictIp(Token arg, String address, String bitsText, boolean v6, Map<String, Object> r) {
        if (!strict) {
            return;
        }
        int width = v6 ? 128 : 32;
        byte[] ip;
        try {
            ip = InetEndpoint.parseIp(address);
        } catch (IllegalArgumentException e) {
            ip = null;
        }
        RuleEntry.IpMatch parsed = (RuleEntry.IpMatch) ControllerRuleJson.parse(r).orElseThrow();
        if (ip == null || ip.length != width / 8 || !Arrays.equals(ip, parsed.ip())) {
            quirk(arg, "'" + address + "' is not an IPv" + (v6 ? "6" : "4") + " address a 1.14.1 controller can read; it"
                    + " would use " + InetEndpoint.of(parsed.ip(), 0).ipString() + ".", "an IPv" + (v6 ? "6" : "4")
                    + " ADDRESS/BITS");
            return;
        }
        if (!bitsText.matches("[0-9]{1,3}") || Integer.parseInt(bitsText) > width) {
            quirk(arg, "'/" + bitsText + "' is not a prefix length 0.." + width + "; a 1.14.1 controller would use /"
                    + parsed.prefixBits() + ".", "ADDRESS/BITS with BITS 0.." + width);
            return;
        }
        int bits = Integer.parseInt(bitsText);
        if (v6) {
            for (int i = 0; i < 16; i++) {
                int keep = Math.clamp(bits - 8L * i, 0, 8);
                if ((ip[i] & (0xff >> keep)) != 0) {
                    quirk(arg, "'" + address + "/" + bits + "' has address bits set after the first " + bits
                            + "; ZeroTier 1.14.1 nodes never match such an IPv6 rule.",
                            "the network address, with the bits after the prefix zero");
                    return;
                }
            }
        }
    }

    // ---------------------------------------------------------------- strict-mode checks

    private void strictNumber(Token t, boolean allowMinusOne) {
        if (strict && !PLAIN_NUMBER.matcher(t.text()).matches() && !(allowMinusOne && t.text().equals("-1"))) {
            quirk(t, "'" + t.text() + "' is not a plain number; ZeroTier 1.14.1 reads it as "
                    + Js.integral(Js.parseNum(t.text())) + ".", NUMBER);
        }
    }

    private void strictHexWithSeparators(Token t, int digits, String expected, String used) {
        if (!strict) {
            return;
        }
        String rest = t.text().replace(":", "").replace("-", "");
        if (rest.length() != digits || cleanHex(rest).length() != digits) {
            quirk(t, "'" + t.text() + "' is not " + digits + " hex digits (with optional ':' or '-' separators);"
                    + " ZeroTier 1.14.1 would use " + used + ".", expected);
        }
    }

    private void checkLimits(Table table, int max, String what) {
        if (table.json.size() > max) {
            quirk(table.origins.get(max), what + " has " + table.json.size() + " entries; a 1.14.1 controller issues"
                    + " only the first " + max + " and silently drops the rest.", "at most " + max + " entries");
        }
    }

    private void quirk(Token at, String reason, String expected) {
        if (strict) {
            quirks.add(new Quirk(at, reason, expected));
        }
    }

    // ---------------------------------------------------------------- output

    private static Map<String, Object> rule(String type) {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("type", type);
        return r;
    }

    private static Map<String, Object> rule(String type, boolean not, boolean or) {
        Map<String, Object> r = rule(type);
        r.put("not", not);
        r.put("or", or);
        return r;
    }

    private void emit(Table out, Token origin, Map<String, Object> r) throws RuleSyntaxException {
        if (++emitted > ENTRIES_EMITTED_MAX) {
            throw error(origin, "The program expands to more than " + ENTRIES_EMITTED_MAX + " rule entries.",
                    "a smaller program");
        }
        out.json.add(r);
        out.origins.add(origin);
    }

    private CompiledRules result(Table base) {
        List<Object> capsJson = new ArrayList<>();
        Map<String, Object> capabilitiesByName = new LinkedHashMap<>();
        List<CapabilityDefinition> capabilities = new ArrayList<>();
        for (CapDef cap : caps.values()) {
            Map<String, Object> c = new LinkedHashMap<>();
            c.put("id", Js.integral(cap.id));
            c.put("default", cap.isDefault);
            c.put("rules", cap.table.json);
            capsJson.add(c);
            capabilitiesByName.put(cap.name, Js.integral(cap.id));
            capabilities.add(new CapabilityDefinition(cap.name, Js.integral(cap.id), cap.isDefault,
                    entries(cap.table.json)));
        }
        List<Object> tagsJson = new ArrayList<>();
        Map<String, Object> tagsByName = new LinkedHashMap<>();
        List<TagDefinition> tagDefinitions = new ArrayList<>();
        for (TagDef tag : tags.values()) {
            Object dfl = tag.defaultValue == null ? null : (Object) Js.integral((Double) tag.defaultValue);
            Map<String, Object> t = new LinkedHashMap<>();
            t.put("id", Js.integral(tag.id));
            t.put("default", dfl);
            tagsJson.add(t);
            Map<String, Object> enumsJson = new LinkedHashMap<>();
            Map<String, Long> enums = new LinkedHashMap<>();
            tag.enums.forEach((k, v) -> {
                enumsJson.put(k, Js.integral(v));
                enums.put(k, Js.integral(v));
            });
            Map<String, Object> flagsJson = new LinkedHashMap<>();
            Map<String, Long> flags = new LinkedHashMap<>();
            tag.flags.forEach((k, v) -> {
                flagsJson.put(k, (long) v);
                flags.put(k, v & U32_MAX);
            });
            Map<String, Object> byName = new LinkedHashMap<>();
            byName.put("id", Js.integral(tag.id));
            byName.put("default", dfl);
            byName.put("enums", enumsJson);
            byName.put("flags", flagsJson);
            tagsByName.put(tag.name, byName);
            tagDefinitions.add(new TagDefinition(tag.name, Js.integral(tag.id),
                    dfl == null ? OptionalLong.empty() : OptionalLong.of((Long) dfl & U32_MAX), enums, flags));
        }
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("rules", base.json);
        config.put("capabilities", capsJson);
        config.put("tags", tagsJson);
        return new CompiledRules(entries(base.json), capabilities, tagDefinitions, config, capabilitiesByName,
                tagsByName);
    }

    private static List<RuleEntry> entries(List<Map<String, Object>> json) {
        List<RuleEntry> entries = ControllerRuleJson.parseAll(json);
        if (entries.size() != json.size()) {
            throw new IllegalStateException("the controller would drop a compiled rule of " + json);
        }
        return entries;
    }

    // ---------------------------------------------------------------- names, text, errors

    /** A name: not starting with a digit, every UTF-16 unit '_', an ASCII digit or a letter. */
    private static boolean isValidName(String n) {
        if (n.isEmpty() || Js.isAsciiDigit(n.charAt(0))) {
            return false;
        }
        for (int i = 0; i < n.length(); i++) {
            char c = n.charAt(i);
            if (c != '_' && !Js.isAsciiDigit(c) && !Character.isLetter(c)) {
                return false;
            }
        }
        return true;
    }

    private static String capitalized(String s) {
        return Character.toUpperCase(s.charAt(0)) + s.substring(1);
    }

    /** The hex digits of {@code s}, lower-cased, everything else dropped. */
    private static String cleanHex(String s) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Js.isAsciiDigit(c) || (c >= 'a' && c <= 'f')) {
                b.append(c);
            } else if (c >= 'A' && c <= 'F') {
                b.append((char) (c - 'A' + 'a'));
            }
        }
        return b.toString();
    }

    private String where(Token t) {
        return "line " + trueLine(t.offset()) + ", column " + trueColumn(t.offset());
    }

    private RuleSyntaxException error(Node at, String reason, String expected) {
        Token t = at.firstToken();
        return exception(t, t.line(), t.column(), reason, expected, t.text(), false);
    }

    /** A refusal where 1.14.1 failed with an internal exception, which it reports at 0/0. */
    private RuleSyntaxException crash(Node at, String reason, String expected) {
        Token t = at.firstToken();
        return exception(t, 0, 0, reason, expected, t.text(), false);
    }

    private RuleSyntaxException exception(Token t, int zeroTierLine, int zeroTierColumn, String reason, String expected,
            String found, boolean refusedQuirk) {
        String hint = null;
        if (!refusedQuirk && tree.lostFrom() != null) {
            hint = "the statement '" + tree.unclosedStatement().text() + "' at " + where(tree.unclosedStatement())
                    + " never ends ('" + tree.lastOpener().text() + "' at " + where(tree.lastOpener())
                    + " opens a statement that a separate ';' cannot close), which changes how the rest is read.";
        }
        return new RuleSyntaxException(trueLine(t.offset()), trueColumn(t.offset()), zeroTierLine, zeroTierColumn,
                reason, expected, found, refusedQuirk, hint);
    }

    private int trueLine(int offset) {
        int line = 1;
        for (int i = 0; i < offset; i++) {
            if (source.charAt(i) == '\n') {
                line++;
            }
        }
        return line;
    }

    private int trueColumn(int offset) {
        return offset - source.lastIndexOf('\n', offset - 1);
    }
}
