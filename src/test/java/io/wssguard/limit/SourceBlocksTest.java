package io.wssguard.limit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.wssguard.ban.MemoryBans;
import io.wssguard.policy.AccessRules;
import io.wssguard.policy.Action;
import io.wssguard.policy.CountLimit;
import io.wssguard.policy.HandshakeRules;
import io.wssguard.policy.Mode;
import io.wssguard.policy.PerConnectionLimits;
import io.wssguard.policy.PerIpLimits;
import io.wssguard.policy.Policy;
import io.wssguard.policy.RateLimit;
import io.wssguard.policy.StrikeRules;
import io.wssguard.time.Ticker;
import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * IPv6 sources counted per /64 and, with larger budgets, per /56 and /48, so rotating /64s inside
 * one block does not multiply the limits; and repeated bans inside a /48 ban the /48, whatever the
 * source table has forgotten.
 */
class SourceBlocksTest {
  private static final long T0 = 1_000_000_000_000L;

  private static CompiledPolicy policy(
      RateLimit handshakes, CountLimit connections, StrikeRules strikes) {
    return new CompiledPolicy(
        new Policy(
            "p",
            Mode.ENFORCE,
            HandshakeRules.NONE,
            new PerIpLimits(handshakes, connections, null, null),
            PerConnectionLimits.NONE,
            AccessRules.NONE,
            strikes,
            "test",
            1));
  }

  private static InetAddress slash64(int block48, int index) throws Exception {
    // 2001:db8:<block48>:<index>::1 — index picks the /64 (and with it the /56) inside the /48.
    return InetAddress.getByName(
        "2001:db8:" + Integer.toHexString(block48) + ":" + Integer.toHexString(index) + "::1");
  }

  @Test
  void handshakes_rotatingSlash64sInsideOneSlash48_getSixteenSourcesWorth_notOneEach()
      throws Exception {
    CompiledPolicy p = policy(new RateLimit(1, 1, Action.REJECT, false), null, null);
    SourceTable table = new SourceTable(10_000, Duration.ofMinutes(30), Ticker.system());
    int admitted = 0;
    Limit refusedBy = null;
    // Every /64 of its own, all at the same instant: each /64 bucket holds one handshake.
    for (int i = 0; i < 1000; i++) {
      Limit refused = SourceBlocks.lookUp(table, slash64(1, i), p, T0).takeHandshake(p, T0);
      if (refused == null) {
        admitted++;
      } else if (refusedBy == null) {
        refusedBy = refused;
      }
    }
    // The /56s hold 4 each (256 /64s per /56 here: i < 256 is the first /56), the /48 holds 16.
    assertEquals(16, admitted);
    assertEquals("perIp.ipv6Blocks.56.handshakes", refusedBy.name());
    // Another /48 has its own budget; an IPv4 source has no wider blocks.
    assertNull(SourceBlocks.lookUp(table, slash64(2, 0), p, T0).takeHandshake(p, T0));
    InetAddress v4 = InetAddress.getByName("192.0.2.7");
    assertNull(SourceBlocks.lookUp(table, v4, p, T0).takeHandshake(p, T0));
  }

  @Test
  void connections_countInEveryBlock_refusalCountsNothing_andCloseUncountsEverywhere()
      throws Exception {
    CompiledPolicy p = policy(null, new CountLimit(2, Action.REJECT, false), null);
    SourceTable table = new SourceTable(10_000, Duration.ofMinutes(30), Ticker.system());
    List<SourceBlocks> open = new java.util.ArrayList<>();
    // /56 allows 8: four /64s with two connections each fill it.
    for (int i = 0; i < 4; i++) {
      for (int c = 0; c < 2; c++) {
        SourceBlocks b = SourceBlocks.lookUp(table, slash64(1, i), p, T0);
        assertNull(b.openConnection(p));
        open.add(b);
      }
    }
    SourceBlocks fifth = SourceBlocks.lookUp(table, slash64(1, 4), p, T0);
    assertEquals("perIp.ipv6Blocks.56.connections", fifth.openConnection(p).name());
    assertArrayEquals(new int[] {0, 8, 8}, fifth.connections());
    // A /64 in the next /56 of the same /48 still fits (the /48 allows 32).
    SourceBlocks other56 = SourceBlocks.lookUp(table, slash64(1, 0x100), p, T0);
    assertNull(other56.openConnection(p));
    assertArrayEquals(new int[] {1, 1, 9}, other56.connections());

    open.get(0).close(table);
    assertArrayEquals(new int[] {1, 7, 8}, open.get(1).connections());
    assertNull(fifth.openConnection(p));
  }

  /**
   * An attacker rotating through the /64s of a /44 (16 /48s), each /64 struck until banned, while
   * the source table is far too small to remember them (64 entries): every /48 it used is banned
   * after its third /64 ban, and its next /64 there is refused at the ban lookup.
   */
  @Test
  void slash44Rotation_throughATinySourceTable_stillBansEverySlash48() throws Exception {
    CompiledPolicy p =
        policy(
            new RateLimit(1, 1, Action.REJECT, true),
            null,
            new StrikeRules(2, Duration.ofMinutes(10), Duration.ofMinutes(15)));
    SourceTable table = new SourceTable(64, Duration.ofMinutes(30), Ticker.system());
    MemoryBans bans = new MemoryBans();
    Enforcer enforcer = new Enforcer(bans);
    int handshakes = 0;
    for (int round = 0; round < 3; round++) {
      for (int block48 = 0x10; block48 < 0x20; block48++) {
        // Many /64s per /48 and round: the table evicts constantly.
        for (int i = 0; i < 40; i++) {
          InetAddress client = slash64(block48, round * 1000 + i);
          if (bans.isBanned(client)) {
            continue;
          }
          handshakes++;
          SourceBlocks b = SourceBlocks.lookUp(table, client, p, T0);
          if (i < 1) {
            // Two strikes on one /64 ban it (max 2).
            enforcer.strike(b.own(), p, client, "perIp.handshakes");
            enforcer.strike(b.own(), p, client, "perIp.handshakes");
          }
        }
      }
    }
    TreeSet<String> banned48 = new TreeSet<>();
    for (var e : bans.active()) {
      if (e.target().prefix() == 48) {
        banned48.add(e.target().toString());
      }
    }
    assertEquals(16, banned48.size(), banned48.toString());
    assertTrue(banned48.contains("2001:db8:1f::/48"));
    assertTrue(bans.isBanned(slash64(0x1f, 0xbeef)));
    assertFalse(bans.isBanned(slash64(0x20, 0)), "the /48 next to the /44 is not touched");
    assertTrue(handshakes > 64, "the table was churned: " + handshakes + " handshakes");
  }
}
