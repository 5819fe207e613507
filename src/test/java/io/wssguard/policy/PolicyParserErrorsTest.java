package io.wssguard.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.wssguard.config.ConfigException;
import io.wssguard.config.ConfigParser;
import io.wssguard.config.MinimalConfig;
import io.wssguard.config.ProxyConfig;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Every kind of policy error, asserted as the whole printed line including its position. */
class PolicyParserErrorsTest {
  /** Valid; tests append lines (line 4 onwards belongs to policy chat, indented by four spaces). */
  private static final String BASE =
      """
      policies:
        chat:
          mode: enforce
      """;

  @TempDir Path dir;

  private static String errors(String yaml) {
    ConfigException e =
        assertThrows(
            ConfigException.class,
            () -> PolicyParser.parse(yaml.getBytes(StandardCharsets.UTF_8), "p.yaml"));
    return e.getMessage();
  }

  /**
   * The errors of BASE with one more line, the line's 1-based column of {@code needle} filled in
   * for {@code %d}.
   */
  private static String line4(String line, String expected, String needle) {
    assertEquals(String.format(expected, line.indexOf(needle) + 1), errors(BASE + line + "\n"));
    return expected;
  }

  // ---- structure and types ----

  @Test
  void rejectsUnknownPolicyKey_listingTheValidOnes() {
    line4(
        "    limits: {}",
        "p.yaml:4:%d: unknown key 'limits' in policies.chat (expected one of: mode, handshake,"
            + " perIp, perConnection, access, strikes, anomaly)",
        "limits");
  }

  @Test
  void rejectsUnknownLimit() {
    line4(
        "    perConnection: {maxPayload: {max: 1, action: close}}",
        "p.yaml:4:%d: unknown key 'maxPayload' in"
            + " policies.chat.perConnection (expected one of: messages, bytes, maxMessageBytes, maxFrameBytes,"
            + " maxFragments, controlFrames)",
        "maxPayload");
  }

  @Test
  void rejectsUnknownKeyInALimit() {
    line4(
        "    perIp: {handshakes: {rate: 20/s, burst: 40, action: reject, burts: 2}}",
        "p.yaml:4:%d: unknown key"
            + " 'burts' in policies.chat.perIp.handshakes (expected one of: rate, burst, action, strike, scope)",
        "burts");
  }

  @Test
  void rejectsUnknownTopLevelKey() {
    assertEquals(
        "p.yaml:4:1: unknown key 'limits' (expected one of: policies)",
        errors(BASE + "limits: {}\n"));
  }

  @Test
  void rejectsDuplicateKey_namingTheFirstLine() {
    assertEquals(
        "p.yaml:4:5: duplicate key 'mode' in policies.chat (first at line 3)",
        errors(BASE + "    mode: monitor\n"));
  }

  @Test
  void rejectsDuplicatePolicyInOneFile() {
    assertEquals(
        "p.yaml:4:3: duplicate key 'chat' in policies (first at line 2)",
        errors(BASE + "  chat: {}\n"));
  }

  @Test
  void rejectsReservedNameOff() {
    assertEquals(
        "p.yaml:4:3: policies.off: the name 'off' is reserved for routes without a policy (expected:"
            + " another name)",
        errors(BASE + "  off: {mode: enforce}\n"));
  }

  @Test
  void rejectsInvalidPolicyName() {
    assertEquals(
        "p.yaml:4:3: policies.Chat_2: invalid policy name 'Chat_2' (expected: name made of a-z, 0-9 and -)",
        errors(BASE + "  Chat_2: {}\n"));
  }

  @Test
  void rejectsScalarWhereBlockExpected() {
    line4(
        "    handshake: strict",
        "p.yaml:4:%d: policies.chat.handshake: strict (expected: mapping with"
            + " maxHeaderBytes, origins, subprotocols, requiredHeaders, paths)",
        "strict");
  }

  @Test
  void rejectsScalarWhereListExpected() {
    line4(
        "    handshake: {subprotocols: chat}",
        "p.yaml:4:%d: policies.chat.handshake.subprotocols: chat (expected:"
            + " list of subprotocol token like chat.v2)",
        "chat}");
  }

  @Test
  void rejectsPolicyThatIsNotAMapping() {
    assertEquals(
        "p.yaml:4:8: policies.feed: empty value (expected: mapping with mode, handshake, perIp,"
            + " perConnection, access, strikes, anomaly)",
        errors(BASE + "  feed:\n"));
  }

  @Test
  void rejectsEmptyFile_missingPolicies_andOtherTopLevels() {
    assertEquals(
        "p.yaml:1:1: policy file is empty (expected: mapping with policies)",
        errors("# nothing\n"));
    assertEquals("p.yaml:1:1: missing required key 'policies'", errors("{}\n"));
    assertEquals(
        "p.yaml:1:11: policies: {} (expected: at least one policy)", errors("policies: {}\n"));
    assertEquals(
        "p.yaml:1:1: policy file: a list (expected: mapping with policies)", errors("- chat\n"));
  }

  @Test
  void rejectsCustomTags_andBadYaml() {
    line4(
        "    perIp: !env {}",
        "p.yaml:4:%d: unsupported tag !env (expected: plain YAML values)",
        "!env");
    assertEquals(
        "p.yaml:2:1: invalid YAML: a second document (expected: one document per file)",
        errors("policies: {a: {}}\n---\npolicies: {b: {}}\n"));
  }

  @Test
  void rejectsUnknownMode() {
    line4(
        "    mode: audit",
        "p.yaml:4:5: duplicate key 'mode' in policies.chat (first at line 3)",
        "x");
    assertEquals(
        "p.yaml:3:11: policies.chat.mode: audit (expected one of: enforce, monitor)",
        errors(BASE.replace("enforce", "audit")));
  }

  @ParameterizedTest
  @ValueSource(strings = {"yes", "on", "1", "'true'"})
  void rejectsStrikeOtherThanTrueOrFalse(String value) {
    String line = "    perIp: {connections: {max: 5, action: reject, strike: " + value + "}}";
    line4(
        line,
        "p.yaml:4:%d: policies.chat.perIp.connections.strike: "
            + value.replace("'", "")
            + " (expected: true or false)",
        value + "}");
  }

  // ---- limits ----

  @Test
  void requiresAction() {
    line4(
        "    perIp: {handshakes: {rate: 20/s, burst: 40}}",
        "p.yaml:4:%d: policies.chat.perIp.handshakes: missing required key 'action'",
        "{rate");
  }

  @Test
  void rejectsActionNotValidForTheLimit() {
    line4(
        "    perIp: {handshakes: {rate: 20/s, burst: 40, action: close}}",
        "p.yaml:4:%d: policies.chat.perIp.handshakes.action: close (expected one of: reject)",
        "close");
    line4(
        "    perIp: {connections: {max: 64, action: throttle}}",
        "p.yaml:4:%d: policies.chat.perIp.connections.action: throttle (expected one of: reject)",
        "throttle");
    line4(
        "    perConnection: {maxMessageBytes: {max: 1MiB, action: throttle}}",
        "p.yaml:4:%d: policies.chat.perConnection.maxMessageBytes.action: throttle (expected one of: drop, close)",
        "throttle");
    line4(
        "    perConnection: {messages: {rate: 1/s, burst: 1, action: reject}}",
        "p.yaml:4:%d: policies.chat.perConnection.messages.action: reject (expected one of: drop, throttle, close)",
        "reject");
  }

  @ParameterizedTest
  @ValueSource(strings = {"0/s", "0/m", "-5/s", "20", "20/h", "1.5/s", "20 /s", "1KiB/s", "many"})
  void rejectsRateThatIsNotPositive(String rate) {
    line4(
        "    perIp: {messages: {rate: " + rate + ", burst: 40, action: drop}}",
        "p.yaml:4:%d: policies.chat.perIp.messages.rate: "
            + rate
            + " (expected: rate like 20/s or 600/m, more"
            + " than 0)",
        rate + ",");
  }

  @ParameterizedTest
  @ValueSource(strings = {"0/s", "8 MiB", "8MiB/h"})
  void rejectsBytesRateThatIsNotPositive(String rate) {
    line4(
        "    perIp: {bytes: {rate: " + rate + ", burst: 1GiB, action: throttle}}",
        "p.yaml:4:%d: policies.chat.perIp.bytes.rate: "
            + rate
            + " (expected: rate like 8MiB/s or 512KiB/s (size in B, KiB, MiB or GiB per s or m),"
            + " more than 0)",
        rate + ",");
  }

  @Test
  void rejectsBytesRateInDecimalUnits_namingTheBinaryRateMeant() {
    line4(
        "    perIp: {bytes: {rate: 8MB/s, burst: 1GiB, action: throttle}}",
        "p.yaml:4:%d: policies.chat.perIp.bytes.rate: 8MB/s"
            + " (expected: rate like 8MiB/s or 512KiB/s (size in B, KiB, MiB or GiB per s or m),"
            + " more than 0; MB is not a unit here (sizes are binary: KiB = 1024 B), did you mean"
            + " 8MiB/s?)",
        "8MB/s,");
  }

  @ParameterizedTest
  @ValueSource(strings = {"0", "-1", "2.5", "1000000001"})
  void rejectsBurstBelowOne(String burst) {
    line4(
        "    perIp: {messages: {rate: 1/m, burst: " + burst + ", action: drop}}",
        "p.yaml:4:%d: policies.chat.perIp.messages.burst: "
            + burst
            + " (expected: integer 1..1000000000)",
        burst + ",");
  }

  @Test
  void rejectsBurstLessThanOneSecondOfTheRate() {
    line4(
        "    perIp: {handshakes: {rate: 20/s, burst: 10, action: reject}}",
        "p.yaml:4:%d: policies.chat.perIp.handshakes: burst 10 is less than the rate 20/s (expected: burst >= rate)",
        "10");
    line4(
        "    perConnection: {bytes: {rate: 2MiB/s, burst: 1MiB, action: throttle}}",
        "p.yaml:4:%d: policies.chat.perConnection.bytes: burst 1MiB is less than the rate 2MiB/s (expected: burst"
            + " >= rate)",
        "1MiB");
  }

  @Test
  void acceptsBurstOfOne_forAPerMinuteRate() throws Exception {
    PolicyParser.parse(
        (BASE + "    perIp: {handshakes: {rate: 60/m, burst: 1, action: reject}}\n")
            .getBytes(StandardCharsets.UTF_8),
        "p.yaml");
  }

  @Test
  void rejectsBytesBurstSmallerThanTheLargestFrame() {
    assertEquals(
        "p.yaml:6:36: policies.chat.perConnection.bytes.burst: 64KiB (expected: at least"
            + " perConnection.maxFrameBytes, 128 KiB; a smaller burst never lets such a frame pass)\n"
            + "p.yaml:9:36: policies.chat.perIp.bytes.burst: 100KiB (expected: at least perConnection.maxFrameBytes,"
            + " 128 KiB; a smaller burst never lets such a frame pass)",
        errors(
            BASE
                + """
            perConnection:
              maxMessageBytes: {max: 1MiB, action: close}
              bytes: {rate: 1KiB/s, burst: 64KiB, action: throttle}
              maxFrameBytes: {max: 128KiB, action: close}
            perIp:
              bytes: {rate: 1KiB/s, burst: 100KiB, action: throttle}
        """
                    .indent(0)));
    line4(
        "    perConnection: {bytes: {rate: 1KiB/s, burst: 512KiB, action: drop}, maxMessageBytes: {max: 1MiB,"
            + " action: close}}",
        "p.yaml:4:%d: policies.chat.perConnection.bytes.burst: 512KiB (expected: at least"
            + " perConnection.maxMessageBytes, 1 MiB; a smaller burst never lets such a frame pass)",
        "512KiB");
  }

  @Test
  void rejectsMaxFrameBytesAboveMaxMessageBytes() {
    line4(
        "    perConnection: {maxMessageBytes: {max: 64KiB, action: close},"
            + " maxFrameBytes: {max: 1MiB, action: close}}",
        "p.yaml:4:%d: policies.chat.perConnection.maxFrameBytes.max: 1MiB (expected: at most maxMessageBytes,"
            + " 64 KiB; a frame is part of a message)",
        "1MiB");
  }

  @ParameterizedTest
  @ValueSource(strings = {"0", "-1", "1000001", "64k"})
  void rejectsConnectionCountOutOfRange(String max) {
    line4(
        "    perIp: {connections: {max: " + max + ", action: reject}}",
        "p.yaml:4:%d: policies.chat.perIp.connections.max: "
            + max
            + " (expected: integer 1..1000000)",
        max + ",");
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "0|",
        "3GiB|",
        "1MB|; MB is not a unit here (sizes are binary: KiB = 1024 B), did you mean 1MiB?"
      })
  void rejectsMessageSizeOutOfRange(String max, String hint) {
    line4(
        "    perConnection: {maxMessageBytes: {max: " + max + ", action: close}}",
        "p.yaml:4:%d: policies.chat.perConnection.maxMessageBytes.max: "
            + max
            + " (expected: size in B, KiB, MiB or GiB like 64KiB, 1 B..2 GiB"
            + (hint == null ? "" : hint)
            + ")",
        max + ",");
  }

  @Test
  void rejectsLimitWrittenAsANumber() {
    line4(
        "    perIp: {connections: 64}",
        "p.yaml:4:%d: policies.chat.perIp.connections: 64 (expected: mapping with"
            + " max, action, strike, scope)",
        "64");
  }

  // ---- handshake ----

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "512|",
        "1023|",
        "65KiB|",
        "8kb|; kb is not a unit here (sizes are binary: KiB = 1024 B), did you mean 8KiB?"
      })
  void rejectsMaxHeaderBytesOutOfRange(String size, String hint) {
    line4(
        "    handshake: {maxHeaderBytes: " + size + "}",
        "p.yaml:4:%d: policies.chat.handshake.maxHeaderBytes: "
            + size
            + " (expected: size in B, KiB, MiB or GiB like 64KiB, 1 KiB..64 KiB, or 0 for the"
            + " listener's limit"
            + (hint == null ? "" : hint)
            + ")",
        size + "}");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "app.example.com",
        "https://app.example.com/",
        "https://*.*.example.com",
        "https://app.example.com:0",
        "https://app.example.com:99999",
        "https://",
        "1https://a.example",
        "https://user@a.example",
        "https://a.example/chat"
      })
  void rejectsOriginThatIsNotSchemeHostPort(String origin) {
    line4(
        "    handshake: {origins: [\"" + origin + "\"]}",
        "p.yaml:4:%d: policies.chat.handshake.origins[0]: "
            + origin
            + " (expected: origin scheme://host[:port] like https://app.example.com or https://*.example.com,"
            + " without path)",
        "\"");
  }

  @ParameterizedTest
  @ValueSource(strings = {"chat", "*", "/a**", "/**b/c", "/a b", "/a?x=1"})
  void rejectsPathPatternNotStartingWithSlash(String pattern) {
    line4(
        "    handshake: {paths: [\"" + pattern + "\"]}",
        "p.yaml:4:%d: policies.chat.handshake.paths[0]: "
            + pattern
            + " (expected: path pattern starting with /, like /chat/* or /api/**; ** only as a whole segment;"
            + " no query)",
        "\"");
  }

  @Test
  void rejectsBadHeaderNameAndSubprotocol() {
    line4(
        "    handshake: {requiredHeaders: [\"X Token\"]}",
        "p.yaml:4:%d: policies.chat.handshake.requiredHeaders[0]:"
            + " X Token (expected: header name like Authorization)",
        "\"");
    line4(
        "    handshake: {subprotocols: [\"chat,v2\"]}",
        "p.yaml:4:%d: policies.chat.handshake.subprotocols[0]:"
            + " chat,v2 (expected: subprotocol token like chat.v2)",
        "\"");
  }

  @Test
  void rejectsRepeatedListEntries_headersWithoutCase() throws Exception {
    line4(
        "    handshake: {requiredHeaders: [Authorization, authorization]}",
        "p.yaml:4:%d:"
            + " policies.chat.handshake.requiredHeaders[1]: authorization (already listed as"
            + " policies.chat.handshake.requiredHeaders[0])",
        "authorization");
    // Subprotocols are case-sensitive: these are two.
    assertEquals(
        List.of("chat", "Chat"),
        PolicyParserTest.parse(BASE + "    handshake: {subprotocols: [chat, Chat]}\n")
            .policies()
            .get("chat")
            .handshake()
            .subprotocols());
  }

  // ---- access ----

  @Test
  void rejectsCidrWithHostBitsSet_namingTheBlock() {
    line4(
        "    access: {allow: [10.0.0.1/8]}",
        "p.yaml:4:%d: policies.chat.access.allow[0]: 10.0.0.1/8 (expected:"
            + " 10.0.0.0/8, the block's first address)",
        "10.");
    line4(
        "    access: {deny: [\"2001:db8::1/32\"]}",
        "p.yaml:4:%d: policies.chat.access.deny[0]: 2001:db8::1/32"
            + " (expected: 2001:db8::/32, the block's first address)",
        "\"");
    line4(
        "    access: {trustedProxies: [192.168.1.128/24]}",
        "p.yaml:4:%d: policies.chat.access.trustedProxies[0]:"
            + " 192.168.1.128/24 (expected: 192.168.1.0/24, the block's first address)",
        "192");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "10.0.0.256",
        "10.0.0",
        "010.0.0.0/8",
        "example.com",
        "10.0.0.0/",
        "10.0.0.0/08",
        "10.0.0.0/8/8",
        "::ffff:10.0.0.1",
        "fe80::1%eth0",
        "[::1]",
        "2001:db8::/32x",
        "1:2"
      })
  void rejectsTextThatIsNotAnAddressBlock(String text) {
    line4(
        "    access: {deny: [\"" + text + "\"]}",
        "p.yaml:4:%d: policies.chat.access.deny[0]: "
            + text.replace("%", "%%")
            + " (expected: address block like 10.0.0.0/8 or 2001:db8::/32, or one address)",
        "\"");
  }

  @Test
  void rejectsPrefixLongerThanTheAddress() {
    line4(
        "    access: {deny: [10.0.0.0/33]}",
        "p.yaml:4:%d: policies.chat.access.deny[0]: 10.0.0.0/33 (expected:"
            + " prefix length 0..32)",
        "10.");
    line4(
        "    access: {deny: [\"::/129\"]}",
        "p.yaml:4:%d: policies.chat.access.deny[0]: ::/129 (expected:" + " prefix length 0..128)",
        "\"");
  }

  @Test
  void rejectsBlockInBothAllowAndDeny() {
    line4(
        "    access: {allow: [10.0.0.0/8], deny: [192.0.2.0/24, 10.0.0.0/8]}",
        "p.yaml:4:%d:"
            + " policies.chat.access.deny[1]: 10.0.0.0/8 (also in policies.chat.access.allow[0]; expected: each block in"
            + " allow or deny, not both)",
        "10.0.0.0/8]}");
  }

  @Test
  void rejectsAllowBlockInsideADenyBlock() {
    line4(
        "    access: {allow: [192.0.2.0/24, 10.1.0.0/16], deny: [10.0.0.0/8]}",
        "p.yaml:4:%d:"
            + " policies.chat.access.allow[1]: 10.1.0.0/16 lies inside policies.chat.access.deny[0] 10.0.0.0/8"
            + " (expected: allow blocks outside every deny block; this one can never match)",
        "10.1");
  }

  @Test
  void acceptsDenyBlockInsideAnAllowBlock() throws Exception {
    PolicyParserTest.parse(BASE + "    access: {allow: [10.0.0.0/8], deny: [10.66.0.0/16]}\n");
  }

  @Test
  void rejectsRepeatedBlock_afterNormalizing() {
    line4(
        "    access: {deny: [\"2001:db8::/32\", \"2001:0db8:0::/32\"]}",
        "p.yaml:4:%d: policies.chat.access.deny[1]:"
            + " 2001:db8::/32 (already listed as policies.chat.access.deny[0])",
        "\"2001:0");
  }

  @ParameterizedTest
  @ValueSource(strings = {"0", "129", "-1", "64.5"})
  void rejectsIpv6PrefixOutOfRange(String prefix) {
    line4(
        "    access: {ipv6Prefix: " + prefix + "}",
        "p.yaml:4:%d: policies.chat.access.ipv6Prefix: " + prefix + " (expected: integer 1..128)",
        prefix + "}");
  }

  // ---- strikes ----

  @Test
  void rejectsStrikesMaxBelowOne() {
    line4(
        "    strikes: {max: 0, window: 10m, ban: 15m}",
        "p.yaml:4:%d: policies.chat.strikes.max: 0 (expected: integer 1..1000000)",
        "0,");
  }

  @Test
  void rejectsStrikesWithoutWindowOrBadBan() {
    assertEquals(
        """
        p.yaml:4:14: policies.chat.strikes: missing required key 'window'
        p.yaml:4:28: policies.chat.strikes.ban: 500ms (expected: duration like 5s, 1 s..365 d)""",
        errors(BASE + "    strikes: {max: 5, ban: 500ms}\n"));
  }

  @Test
  void rejectsProtocolViolationsOtherThanTrueOrFalse() {
    line4(
        "    strikes: {max: 5, window: 10m, ban: 15m, protocolViolations: 1002}",
        "p.yaml:4:%d: policies.chat.strikes.protocolViolations: 1002 (expected: true or false)",
        "1002}");
  }

  // ---- files ----

  @Test
  void reportsAllErrorsTogether_inFileOrder() {
    assertEquals(
        """
        p.yaml:3:11: policies.chat.mode: audit (expected one of: enforce, monitor)
        p.yaml:4:44: policies.chat.perIp.handshakes: burst 1 is less than the rate 2/s (expected: burst >= rate)
        p.yaml:5:22: policies.chat.access.allow[0]: 10.0.0.1/8 (expected: 10.0.0.0/8, the block's first address)""",
        errors(
            """
            policies:
              chat:
                mode: audit
                perIp: {handshakes: {rate: 2/s, burst: 1, action: reject}}
                access: {allow: [10.0.0.1/8]}
            """));
  }

  @Test
  void policyNameUsedInTwoFiles_isAnErrorNamingBothPositions() throws Exception {
    Path a = Files.writeString(dir.resolve("a.yaml"), "policies:\n  chat: {}\n");
    Path b =
        Files.writeString(
            dir.resolve("b.yaml"), "policies:\n  feed: {}\n  chat: {mode: monitor}\n");

    ConfigException e =
        assertThrows(ConfigException.class, () -> PolicyParser.parseFiles(List.of(a, b)));

    assertEquals(
        b
            + ":3:3: policies.chat: already defined at "
            + a
            + ":2:3 (expected: each policy name once across"
            + " all policy files)",
        e.getMessage());
  }

  @Test
  void errorsOfSeveralFiles_comeFileByFile_andUnreadableFilesWithoutPosition() throws Exception {
    Path a = Files.writeString(dir.resolve("a.yaml"), "policies:\n  chat: {mode: loud}\n");
    Path missing = dir.resolve("missing.yaml");
    Path latin1 = Files.write(dir.resolve("latin1.yaml"), new byte[] {'#', (byte) 0xE9, '\n'});

    ConfigException e =
        assertThrows(
            ConfigException.class, () -> PolicyParser.parseFiles(List.of(missing, a, latin1)));

    assertEquals(
        missing
            + ": cannot read: no such file\n"
            + a
            + ":2:16: policies.chat.mode: loud (expected one of: enforce, monitor)\n"
            + latin1
            + ": cannot read: not UTF-8 text",
        e.getMessage());
  }

  @Test
  void fleetScope_withoutAClusterBlock_isAnErrorAtItsPosition() throws Exception {
    PolicySet set =
        PolicyParser.parse(
            """
                policies:
                  chat:
                    perIp:
                      connections: {max: 64, action: reject, scope: fleet}
                      handshakes: {rate: 5/s, burst: 5, action: reject, scope: node}
                """
                .getBytes(StandardCharsets.UTF_8),
            "p.yaml");
    assertTrue(set.policies().get("chat").perIp().fleet("connections"));
    assertFalse(set.policies().get("chat").perIp().fleet("handshakes"));
    ProxyConfig config = ConfigParser.parse(MinimalConfig.MINIMAL, "w.yaml", Path.of("."));
    assertEquals(
        List.of(
            "p.yaml:4:53: policies.chat.perIp.connections.scope: fleet, but the configuration has"
                + " no cluster block (expected: a cluster block, docs/FLEET.md, or scope: node)"),
        PolicyParser.fleetWithoutCluster(config, set));
    assertEquals(
        "p.yaml:4:53: policies.chat.perIp.connections.scope: everywhere (expected one of: node,"
            + " fleet)",
        errors(
            "policies:\n  chat:\n    perIp:\n      connections: {max: 64, action: reject, scope:"
                + " everywhere}\n"));
  }
}
