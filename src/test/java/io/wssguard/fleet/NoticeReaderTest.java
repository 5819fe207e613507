package io.wssguard.fleet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.wssguard.config.AdminConfig;
import io.wssguard.net.Cidr;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** What other nodes write to Redis is read strictly, and refused past the admin API's limits. */
class NoticeReaderTest {
  private static final Instant NOW = Instant.parse("2026-01-01T00:00:00Z");
  private final NoticeReader reader = new NoticeReader(AdminConfig.WidestBan.DEFAULT);

  private String refusal(String json) {
    return assertThrows(NoticeReader.Refused.class, () -> reader.read(json, NOW)).getMessage();
  }

  private static String ban(String target, String until) {
    return "{\"op\":\"ban\",\"target\":\""
        + target
        + "\",\"until\":\""
        + until
        + "\",\"reason\":\"flood\",\"origin\":\"gw-a\"}";
  }

  @Test
  void banAndUnban_readBackAsWritten() throws Exception {
    BanNotice ban =
        BanNotice.ban(
            Cidr.parse("203.0.113.7/32"), NOW.plusSeconds(600), "handshake flood", "gw-a");
    assertEquals(
        "{\"op\":\"ban\",\"target\":\"203.0.113.7/32\",\"until\":\"2026-01-01T00:10:00Z\","
            + "\"reason\":\"handshake flood\",\"origin\":\"gw-a\"}",
        ban.json());
    assertEquals(ban, reader.read(ban.json(), NOW));
    BanNotice unban = BanNotice.unban(Cidr.parse("2001:db8::/48"), "gw-b");
    assertEquals(
        "{\"op\":\"unban\",\"target\":\"2001:db8::/48\",\"origin\":\"gw-b\"}", unban.json());
    assertEquals(unban, reader.read(unban.json(), NOW));
  }

  @Test
  void unbanRecord_keepsItsUntilInTheHash_butTravelsWithoutItOnTheChannel() throws Exception {
    BanNotice lifted = BanNotice.unban(Cidr.parse("203.0.113.7/32"), NOW.plusSeconds(600), "gw-b");
    assertEquals(
        "{\"op\":\"unban\",\"target\":\"203.0.113.7/32\",\"until\":\"2026-01-01T00:10:00Z\","
            + "\"origin\":\"gw-b\"}",
        lifted.json());
    assertEquals(lifted, reader.read(lifted.json(), NOW));
    // Nodes that keep no records refuse an unban with an until: the message is the old one.
    assertEquals(
        "{\"op\":\"unban\",\"target\":\"203.0.113.7/32\",\"origin\":\"gw-b\"}", lifted.message());
    assertEquals(
        "until: 2027-06-01T00:00:00Z (expected: at most 365 days from now, the longest ban)",
        refusal(
            "{\"op\":\"unban\",\"target\":\"10.0.0.1/32\",\"until\":\"2027-06-01T00:00:00Z\","
                + "\"origin\":\"gw-b\"}"));
    assertEquals(
        "an unban with a reason",
        refusal(
            "{\"op\":\"unban\",\"target\":\"10.0.0.1/32\",\"reason\":\"x\",\"origin\":\"gw-b\"}"));
  }

  @Test
  void everyAddressAndTooWideBlocks_areRefused() {
    assertEquals(
        "target: 0.0.0.0/0 is every address (never banned)",
        refusal(ban("0.0.0.0/0", "2026-01-01T01:00:00Z")));
    assertEquals(
        "target: ::/0 is every address (never banned)",
        refusal(ban("::/0", "2026-01-01T01:00:00Z")));
    assertEquals(
        "target: 10.0.0.0/8 is wider than /16, the widest IPv4 ban allowed (admin.widestBan.ipv4)",
        refusal(ban("10.0.0.0/8", "2026-01-01T01:00:00Z")));
  }

  @Test
  void banLongerThanAYear_orNotAnInstant_isRefused() {
    assertEquals(
        "until: 2027-06-01T00:00:00Z (expected: at most 365 days from now, the longest ban)",
        refusal(ban("203.0.113.7/32", "2027-06-01T00:00:00Z")));
    assertEquals(
        "until: 'tomorrow' (expected: an ISO instant)", refusal(ban("203.0.113.7/32", "tomorrow")));
  }

  @Test
  void anotherSpellingOfTheTarget_isRefused() {
    assertEquals(
        "target: '203.0.113.7' (expected: 203.0.113.7/32)",
        refusal(ban("203.0.113.7", "2026-01-01T01:00:00Z")));
  }

  @Test
  void malformedInput_isRefusedWithWhy() {
    assertEquals(
        "not valid JSON: Unexpected end-of-input: expected close marker for Object at column 12",
        refusal("{\"op\":\"ban\""));
    assertEquals("not a JSON object", refusal("[1]"));
    assertEquals("unknown key 'by'", refusal("{\"by\":\"x\"}"));
    assertEquals("reason: not a string", refusal("{\"op\":\"ban\",\"reason\":5}"));
    assertEquals(
        "not valid JSON: Duplicate field 'op' at column 17",
        refusal("{\"op\":\"ban\",\"op\":\"unban\"}"));
    assertEquals("missing key 'origin'", refusal("{\"op\":\"unban\",\"target\":\"10.0.0.1/32\"}"));
    assertEquals(
        "origin: 'GW A' (expected: a node name, [a-z0-9-]+)",
        refusal("{\"op\":\"unban\",\"target\":\"10.0.0.1/32\",\"origin\":\"GW A\"}"));
    assertEquals(
        "op: 'drop' (expected: ban or unban)",
        refusal("{\"op\":\"drop\",\"target\":\"10.0.0.1/32\",\"origin\":\"gw-a\"}"));
    assertEquals(
        "reason: 8 characters (expected: 1..200, one line without control characters, not blank)",
        refusal(ban("203.0.113.7/32", "2026-01-01T01:00:00Z").replace("flood", "a\\nforged")));
    assertEquals("1025 characters (expected: at most 1024)", refusal("x".repeat(1025)));
  }

  @Test
  void reasonsMadeHere_areSentAsTheOtherNodesAcceptThem() throws Exception {
    assertEquals("a b", FleetBans.shareable("a\nb"));
    assertEquals("banned on another node", FleetBans.shareable(" \t"));
    String shared = FleetBans.shareable("x".repeat(300));
    assertEquals(NoticeReader.MAX_REASON, shared.length());
    BanNotice n = BanNotice.ban(Cidr.parse("203.0.113.7/32"), NOW.plusSeconds(60), shared, "gw-a");
    assertEquals(n, reader.read(n.json(), NOW));
  }
}
