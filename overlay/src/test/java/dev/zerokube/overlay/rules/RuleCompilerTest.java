package dev.zerokube.overlay.rules;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.zerokube.overlay.rules.RuleCompiler.Mode;
import dev.zerokube.overlay.wire.rules.RuleCodec;
import dev.zerokube.overlay.wire.rules.RuleEntry;
import dev.zerokube.overlay.wire.rules.RuleType;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Goal: refusals say where (line, column, in ours and in 1.14.1's convention), what was found and
 * what was expected; strict mode refuses each kind of silently misread program with a message
 * naming what 1.14.1 would have done, while the 1.14.1 mode compiles it as 1.14.1 does; the
 * compiler's own limits hold; the typed results match the JSON.
 *
 * <p>Method: small programs whose 1.14.1 behaviour is known (from ZT1-06 §11 and from running
 * 1.14.1's compiler on them), one property per test.
 */
class RuleCompilerTest {
    private static RuleSyntaxException refused(String source) {
        return assertThrows(RuleSyntaxException.class, () -> RuleCompiler.compile(source));
    }

    private static RuleSyntaxException refusedAsZeroTier(String source) {
        return assertThrows(RuleSyntaxException.class, () -> RuleCompiler.compile(source, Mode.ZEROTIER_1_14_1));
    }

    private static CompiledRules asZeroTier(String source) throws RuleSyntaxException {
        return RuleCompiler.compile(source, Mode.ZEROTIER_1_14_1);
    }

    // ---------------------------------------------------------------- positions and messages

    @Test
    void errorCarriesPositionFoundExpectedAndReason() {
        RuleSyntaxException e = refused("accept ethertype ipv5 ;");
        assertEquals(1, e.line());
        assertEquals(18, e.column());
        assertEquals(1, e.zeroTierLine());
        assertEquals(17, e.zeroTierColumn(), "1.14.1 counts columns from 0 on line 1");
        assertEquals("Invalid numeric value.", e.reason());
        assertEquals("ipv5", e.found());
        assertTrue(e.expected().contains("ipv4") && e.expected().contains("ipx_b"), e.expected());
        assertFalse(e.refusedQuirk());
        assertTrue(e.getMessage().startsWith("line 1, column 18: Invalid numeric value. Found 'ipv5'; expected "),
                e.getMessage());
    }

    @Test
    void laterLinesCountColumnsFromOneInBothConventions() {
        RuleSyntaxException e = refused("drop ethertype arp ;\naccept dport 70000 ;");
        assertEquals(2, e.line());
        assertEquals(14, e.column());
        assertEquals(2, e.zeroTierLine());
        assertEquals(14, e.zeroTierColumn());
        assertEquals("70000", e.found());
    }

    @Test
    void aCarriageReturnEndingACommentIsALineBreakOnlyFor114() {
        RuleSyntaxException e = refused("# c\r\naccept dport x ;");
        assertEquals(2, e.line());
        assertEquals(14, e.column());
        assertEquals(3, e.zeroTierLine(), "1.14.1 counts the CR that ends a comment and then the LF");
        assertEquals(14, e.zeroTierColumn());
    }

    @Test
    void columnsCountUtf16UnitsAndTabsAsOne() {
        RuleSyntaxException e = refused("\taccept\u00e9 ;");
        assertEquals(1, e.line());
        assertEquals(2, e.column());
        assertEquals("Unrecognized action or directive in rule set.", e.reason());
    }

    @Test
    void teeLengthErrorUsesTheLengthLineAndTheAddressColumnLike114() {
        RuleSyntaxException e = refused("tee 70000 0123456789 ;");
        assertEquals(1, e.line());
        assertEquals(5, e.column(), "our position is the length");
        assertEquals(1, e.zeroTierLine());
        assertEquals(10, e.zeroTierColumn(), "1.14.1 reports the address's column");
        assertEquals("70000", e.found());
    }

    @Test
    void whereItCrashed114ReportsZeroZeroButWeNameTheStatement() {
        RuleSyntaxException e = refused("accept dport 1 ;\ntee 64 ;");
        assertEquals(0, e.zeroTierLine());
        assertEquals(0, e.zeroTierColumn());
        assertEquals(2, e.line());
        assertEquals(5, e.column());
        assertTrue(e.reason().contains("length and a target address"), e.reason());
    }

    @Test
    void missingArgumentIsReportedAtTheMatchKeyword() {
        RuleSyntaxException e = refused("accept\n  random ;");
        assertEquals("Missing argument(s) to match.", e.reason());
        assertEquals(2, e.line());
        assertEquals(3, e.column());
        assertEquals("random", e.found());
        assertTrue(e.expected().contains("1 argument"), e.expected());
    }

    @Test
    void reservedWordArgumentIsReportedAtTheWordBeforeIt() {
        RuleSyntaxException e = refused("accept ipprotocol icmp ;");
        assertEquals("Missing argument(s) to match (invalid argument or argument is reserved word).", e.reason());
        assertEquals("ipprotocol", e.found());
    }

    @Test
    void aLostStatementIsExplainedInTheNoteOfTheErrorItCauses() {
        RuleSyntaxException e = refused("macro drop\n  accept ;\n;\n");
        assertEquals("Macro definition is missing name.", e.reason(), "1.14.1's error stays the reason");
        assertEquals(1, e.zeroTierLine());
        assertEquals(0, e.zeroTierColumn());
        assertTrue(e.getMessage().contains("Note: the statement 'macro' at line 1, column 1 never ends"), e.getMessage());
    }

    @Test
    void uppercaseActionsAreRecognisedOnlyWithoutMatches() throws Exception {
        // Pass 1 opens blocks for lower-case keywords only; pass 3 lower-cases actions.
        assertEquals(List.of(RuleEntry.Action.of(RuleType.ACTION_DROP)), RuleCompiler.compile("DROP;").rules());
        RuleSyntaxException e = refused("DROP ethertype arp ;");
        assertEquals("Unrecognized action or directive in rule set.", e.reason());
        assertEquals("ethertype", e.found());
    }

    // ---------------------------------------------------------------- quirks: strict refuses, 1.14.1 mode compiles

    @Test
    void separateSemicolonAfterBareActionLosesTheRest() throws Exception {
        String src = "accept ;\ndrop ;";
        RuleSyntaxException e = refused(src);
        assertTrue(e.refusedQuirk());
        assertEquals(2, e.line());
        assertEquals(1, e.column());
        assertEquals("drop", e.found());
        assertTrue(e.reason().contains("the statement 'accept' at line 1, column 1 never ends"), e.reason());
        assertEquals(List.of(RuleEntry.Action.of(RuleType.ACTION_ACCEPT)), asZeroTier(src).rules());
    }

    @Test
    void characteristicsBit63WithAnotherHighBitIsMiscompiledBy114() throws Exception {
        String src = "accept chr inbound,multicast ;";
        RuleSyntaxException e = refused(src);
        assertTrue(e.refusedQuirk());
        assertTrue(e.reason().contains("4000000000000000") && e.reason().contains("c000000000000000"), e.reason());
        RuleEntry.ValueMatch m = (RuleEntry.ValueMatch) asZeroTier(src).rules().get(0);
        assertEquals(0x4000_0000_0000_0000L, m.value(), "1.14.1 keeps only multicast");
        assertEquals(0x8000_0000_0000_0002L,
                ((RuleEntry.ValueMatch) RuleCompiler.compile("accept chr inbound,tcp_syn ;").rules().get(0)).value(),
                "bit 63 alone in its half is fine");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "accept dport 22abc ;|22abc|reads it as 22",
        "accept ethertype 0x ;|0x|reads it as 0",
        "tee x 0123456789 ;|x|reads it as -1 (the whole frame)",
        "accept icmp 8 abc ;|abc|match any code",
        "accept random 2 ;|2|would use 1",
        "accept random abc ;|abc|would use 0",
        "accept vlanpcp 300 ;|300|keep only 44",
        "accept ipsrc 10.0.0.0/40 ;|10.0.0.0/40|would use /32",
        "accept ipsrc 10.0.0.0/abc ;|10.0.0.0/abc|would use /0",
        "accept ipsrc 1.2.3.4.5/8 ;|1.2.3.4.5/8|would use 0.0.0.0",
        "accept ipdest fd00::1/8 ;|fd00::1/8|never match",
        "accept macsrc 02:11:22:33:44:55:66 ;|02:11:22:33:44:55:66|would use 02:11:22:33:44:55",
        "accept ztsrc g0123456789 ;|g0123456789|would use 0123456789",
        "redirect zzzzzzzzzz ;|zzzzzzzzzz|would use 0000000000",
        "accept ethertype arp not ;|not|applies to no match",
        "accept not not ethertype arp ;|not|single 'not'",
        "accept or ethertype arp ;|or|match every frame",
        "accept ethertype arp and or ipprotocol tcp ;|or|'and' and 'or'",
        "tag t id 1 default -5 ;|-5|would use 5",
        "tag t id 1 default Prod enum 1 prod ;|Prod|would use 0",
        "tag t id 1 flag 31 top ;|31|bit 31",
        "tag t id 1 enum 1 x flag 0 x ;|x|both an enum and a flag",
        "tag a id 1 ;\\ntag b id 1 ;|1|also the id of tag 'a'",
        "macro m($p)\\n accept dport $p ;\\n;\\ninclude m(1,2)|m(1,2)|takes 1 argument(s), not 2",
        "macro m($p,,$q)\\n accept dport $p ;\\n;\\ninclude m(1,2)|m($p,,$q)|Empty item",
        "macro m(p)\\n accept dport 1 ;\\n;|m(p)|cannot be referred to",
        "accept constructor ethertype arp;|constructor|not a match",
        "accept ethertype drop ;|ethertype|silently ignored"})
    void strictRefusesWhat114SilentlyMisreads(String escapedSource, String found, String fragment) throws Exception {
        String source = escapedSource.replace("\\n", "\n");
        RuleSyntaxException e = refused(source);
        assertTrue(e.refusedQuirk(), e.getMessage());
        assertEquals(found, e.found(), e.getMessage());
        assertTrue(e.reason().contains(fragment), "'" + fragment + "' in: " + e.reason());
        assertTrue(e.expected() != null && !e.expected().isBlank(), "says what is expected");
        asZeroTier(source);
    }

    @Test
    void theEarliestQuirkInTheSourceIsReportedThoughCapabilitiesRenderFirst() {
        RuleSyntaxException e = refused("accept dport 1x ;\ncap c id 1 accept dport 2x ; ;\naccept;");
        assertEquals(1, e.line());
        assertEquals("1x", e.found());
    }

    @Test
    void a114RefusalWinsOverAnEarlierQuirk() {
        RuleSyntaxException e = refused("accept dport 1x ;\naccept dport 70000 ;");
        assertFalse(e.refusedQuirk());
        assertEquals("Invalid numeric range.", e.reason());
        assertEquals(2, e.line());
    }

    @Test
    void tablesTheControllerWouldTruncateAreRefused() throws Exception {
        StringBuilder base = new StringBuilder();
        for (int i = 0; i < 512; i++) {
            base.append("accept dport ").append(i).append(" ;\n");
        }
        // 512 statements of two entries fill the table; the next statement's match is entry 1025.
        base.append("drop ethertype arp ;\n");
        RuleSyntaxException e = refused(base.toString());
        assertTrue(e.refusedQuirk());
        assertEquals(513, e.line());
        assertTrue(e.reason().contains("1026 entries") && e.reason().contains("first 1024"), e.reason());
        assertEquals(1026, asZeroTier(base.toString()).rules().size());

        StringBuilder cap = new StringBuilder("cap c id 1\n");
        for (int i = 0; i < 33; i++) {
            cap.append("accept dport ").append(i).append(" ;\n");
        }
        e = refused(cap.append(";").toString());
        assertTrue(e.reason().contains("capability 'c' has 66 entries") && e.reason().contains("first 64"),
                e.reason());
    }

    // ---------------------------------------------------------------- limits of our own (both modes)

    @Test
    void selfIncludingMacrosAreRefusedWhere114Overflows() {
        RuleSyntaxException e = refusedAsZeroTier("macro a\n include b\n;\nmacro b\n include a\n;\ninclude a");
        assertTrue(e.reason().contains("includes itself"), e.reason());
        assertEquals(0, e.zeroTierLine(), "1.14.1 fails with a stack overflow");
        assertEquals(5, e.line(), "the include that closes the cycle");
    }

    @Test
    void exponentialMacroExpansionIsBounded() {
        StringBuilder src = new StringBuilder("macro m0\n accept dport 1 ;\n;\n");
        for (int i = 1; i <= 20; i++) {
            src.append("macro m").append(i).append("\n include m").append(i - 1).append("\n include m")
                    .append(i - 1).append("\n;\n");
        }
        src.append("include m20");
        RuleSyntaxException e = refusedAsZeroTier(src.toString());
        assertTrue(e.reason().contains("more than 65536"), e.reason());
    }

    @Test
    void longIncludeChainsAreBoundedBeforeTheStackIs() {
        StringBuilder src = new StringBuilder("macro m0\n accept dport 1 ;\n;\n");
        for (int i = 1; i <= 20_000; i++) {
            src.append("macro m").append(i).append("\n include m").append(i - 1).append("\n;\n");
        }
        src.append("include m20000");
        RuleSyntaxException e = refusedAsZeroTier(src.toString());
        assertTrue(e.reason().contains("nested too deeply"), e.reason());
    }

    @Test
    void manyCapabilitiesAndTagsCompile() throws Exception {
        StringBuilder src = new StringBuilder();
        for (int i = 0; i < 50_000; i++) {
            src.append("cap c").append(i).append(" id ").append(i).append(" ;\ntag t").append(i).append(" id ")
                    .append(i).append(" ;\n");
        }
        CompiledRules c = RuleCompiler.compile(src.append("accept;").toString());
        assertEquals(50_000, c.capabilities().size());
        assertEquals(50_000, c.tags().size());
    }

    @Test
    void deeplyNestedBlocksDoNotOverflowTheStack() throws Exception {
        // Each 'accept' opens a block inside the previous one.
        String closed = "accept ".repeat(200_000) + "x";
        assertEquals("Unrecognized match type \"accept\".", refusedAsZeroTier(closed).reason());
        assertEquals("Unrecognized match type \"accept\".", refused(closed).reason());
        String open = "accept ".repeat(200_000);
        assertEquals(List.of(RuleEntry.Action.of(RuleType.ACTION_ACCEPT)), asZeroTier(open).rules(),
                "the innermost block stays empty, so 1.14.1 keeps only the first accept");
        assertTrue(refused(open).refusedQuirk());
    }

    @Test
    void nullSourceOrModeIsAProgrammingError() {
        assertThrows(NullPointerException.class, () -> RuleCompiler.compile(null));
        assertThrows(NullPointerException.class, () -> RuleCompiler.compile("accept;", null));
    }

    // ---------------------------------------------------------------- typed results

    @Test
    void tagValuesAreTheUnsigned32BitValuesTheControllerIssues() throws Exception {
        CompiledRules c = RuleCompiler.compile(
                "tag Role id 4294967295 default 4294967295 enum 7 Admin flag 0 r flag 1,R rw ;\naccept teq role rw ;");
        TagDefinition t = c.tag("role").orElseThrow();
        assertEquals(4294967295L, t.id());
        assertEquals(OptionalLong.of(4294967295L), t.defaultValue());
        assertEquals(Map.of("admin", 7L), t.enums());
        assertEquals(List.of("r", "rw"), List.copyOf(t.flags().keySet()));
        assertEquals(3L, t.flags().get("rw"));
        Map<?, ?> tagJson = (Map<?, ?>) ((List<?>) c.configJson().get("tags")).get(0);
        assertEquals(-1L, tagJson.get("default"), "1.14.1's compiler emits the default as a signed 32-bit number");
        assertEquals(new RuleEntry.TagMatch(RuleType.MATCH_TAGS_EQUAL, false, false, 4294967295L, 3),
                c.rules().get(0));

        CompiledRules bit31 = asZeroTier("tag t id 1 flag 31 top default top ;\naccept;");
        assertEquals(OptionalLong.of(0x8000_0000L), bit31.tags().get(0).defaultValue());
        assertEquals(-2147483648L, ((Map<?, ?>) ((Map<?, ?>) bit31.tagsByNameJson().get("t")).get("flags")).get("top"));
    }

    @Test
    void capabilitiesKeepDefinitionOrderAndTheirTables() throws Exception {
        CompiledRules c = RuleCompiler.compile("cap b id 9 default accept dport 22 ; ;\ncap a id 3 drop ethertype arp ;"
                + " ;\naccept;");
        assertEquals(List.of("b", "a"), c.capabilities().stream().map(CapabilityDefinition::name).toList());
        CapabilityDefinition b = c.capability("b").orElseThrow();
        assertEquals(9, b.id());
        assertTrue(b.isDefault());
        assertEquals("2804001600160100", HexFormat.of().formatHex(RuleCodec.encodeTable(b.rules())));
        assertFalse(c.capability("a").orElseThrow().isDefault());
        assertEquals(Map.of("b", 9L, "a", 3L), c.capabilitiesByNameJson());
        assertTrue(c.capability("nope").isEmpty());
    }

    @Test
    void jsonIsImmutableAndInTheCompilersShape() throws Exception {
        CompiledRules c = RuleCompiler.compile("tee -1 deadbeef01 ethertype arp ;\naccept icmp 8 -1 ;");
        Map<String, Object> json = c.toJson();
        assertEquals(List.of("config", "capabilitiesByName", "tagsByName"), List.copyOf(json.keySet()));
        assertEquals(List.of("rules", "capabilities", "tags"), List.copyOf(c.configJson().keySet()));
        List<?> rules = (List<?>) c.configJson().get("rules");
        Map<?, ?> tee = (Map<?, ?>) rules.get(1);
        assertEquals(List.of("type", "address", "length"), List.copyOf(tee.keySet()));
        assertEquals(-1L, tee.get("length"), "the compiler's -1; the controller makes it 65535");
        assertEquals(0xffff, ((RuleEntry.Forward) c.rules().get(1)).length());
        Map<?, ?> icmp = (Map<?, ?>) rules.get(2);
        assertTrue(icmp.containsKey("icmpCode"));
        assertNull(icmp.get("icmpCode"));
        assertThrows(UnsupportedOperationException.class, () -> c.configJson().put("x", 1));
        assertThrows(UnsupportedOperationException.class, () -> ((List<?>) c.configJson().get("rules")).clear());
        assertThrows(UnsupportedOperationException.class, () -> c.rules().clear());
    }

    @Test
    void unicodeNamesAreLowerCasedAtDefinitionAndLookedUpAsWritten() throws Exception {
        CompiledRules c = RuleCompiler.compile("tag Ünïcode_1 id 5 ;\naccept teq ünïcode_1 3 ;");
        assertEquals("ünïcode_1", c.tags().get(0).name());
        RuleSyntaxException e = refused("tag Ünïcode_1 id 5 ;\naccept teq Ünïcode_1 3 ;");
        assertEquals("Undefined tag name and invalid tag value.", e.reason());
        assertEquals("Tag name is a reserved word.", refused("tag Constructor id 1 ;").reason(),
                "1.14.1 finds JavaScript's inherited 'constructor' among its reserved words");
    }
}
