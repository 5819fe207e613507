package io.wssguard.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.wssguard.config.ConfigException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@code perIp.ipv6Blocks}: the wider IPv6 blocks counted beside the source's own. */
class Ipv6BlocksParserTest {
  private static final String BASE = "policies:\n  chat:\n";

  private static Policy parse(String lines) throws ConfigException {
    return PolicyParser.parse((BASE + lines).getBytes(StandardCharsets.UTF_8), "p.yaml")
        .policies()
        .get("chat");
  }

  private static String errors(String lines) {
    return assertThrows(ConfigException.class, () -> parse(lines)).getMessage();
  }

  private static List<PerIpLimits.Ipv6Block> blocks(int... prefixAndFactor) {
    PerIpLimits.Ipv6Block[] b = new PerIpLimits.Ipv6Block[prefixAndFactor.length / 2];
    for (int i = 0; i < b.length; i++) {
      b[i] = new PerIpLimits.Ipv6Block(prefixAndFactor[2 * i], prefixAndFactor[2 * i + 1]);
    }
    return List.of(b);
  }

  @Test
  void absent_countsTheSlash56AndSlash48_with4And16Times() throws Exception {
    assertEquals(blocks(56, 4, 48, 16), parse("    mode: enforce\n").perIp().ipv6Blocks());
    assertEquals(
        blocks(56, 4, 48, 16),
        parse("    perIp: {connections: {max: 8, action: reject}}\n").perIp().ipv6Blocks());
  }

  @Test
  void defaults_notWiderThanTheCountedPrefix_areLeftOut() throws Exception {
    assertEquals(blocks(48, 16), parse("    access: {ipv6Prefix: 56}\n").perIp().ipv6Blocks());
    assertEquals(blocks(), parse("    access: {ipv6Prefix: 48}\n").perIp().ipv6Blocks());
  }

  @Test
  void written_areKeptNarrowestFirst_andEmptyMeansNone() throws Exception {
    assertEquals(
        blocks(60, 2, 44, 32),
        parse("    perIp: {ipv6Blocks: {44: {factor: 32}, 60: {factor: 2}}}\n")
            .perIp()
            .ipv6Blocks());
    assertEquals(blocks(), parse("    perIp: {ipv6Blocks: {}}\n").perIp().ipv6Blocks());
  }

  @Test
  void rejectsBadPrefixFactorAndShape_withPositions() {
    assertEquals(
        "p.yaml:3:26: policies.chat.perIp.ipv6Blocks.8: '8' (expected: prefix length 16..127,"
            + " shorter than access.ipv6Prefix)\n"
            + "p.yaml:3:55: policies.chat.perIp.ipv6Blocks.48.factor: 0 (expected: integer"
            + " 1..65536)",
        errors("    perIp: {ipv6Blocks: {8: {factor: 2}, 48: {factor: 0}}}\n"));
    assertEquals(
        "p.yaml:3:42: unknown key 'limit' in policies.chat.perIp.ipv6Blocks.56 (expected one of:"
            + " factor)",
        errors("    perIp: {ipv6Blocks: {56: {factor: 2, limit: 3}}}\n"));
  }

  @Test
  void rejectsMoreThanTwoBlocks_andAWiderBlockWithASmallerFactor() {
    assertEquals(
        "p.yaml:3:25: policies.chat.perIp.ipv6Blocks: 3 blocks (expected: at most 2; each is one"
            + " more lookup per handshake)",
        errors("    perIp: {ipv6Blocks: {56: {factor: 2}, 48: {factor: 4}, 40: {factor: 8}}}\n"));
    assertEquals(
        "p.yaml:3:56: policies.chat.perIp.ipv6Blocks.48.factor: 2 (expected: at least the factor"
            + " of the narrower /56, 4; a wider block holds all of its budget)",
        errors("    perIp: {ipv6Blocks: {56: {factor: 4}, 48: {factor: 2}}}\n"));
  }

  @Test
  void rejectsAWrittenBlockNotWiderThanTheCountedPrefix() {
    assertEquals(
        "p.yaml:3:26: policies.chat.perIp.ipv6Blocks.56: /56 (expected: a block wider than"
            + " access.ipv6Prefix, /56)",
        errors("    perIp: {ipv6Blocks: {56: {factor: 4}}}\n    access: {ipv6Prefix: 56}\n"));
  }
}
