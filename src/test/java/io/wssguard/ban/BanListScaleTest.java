package io.wssguard.ban;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.wssguard.net.Cidr;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Many bans: lookups that do not grow with the list, and a cap beyond which bans are widened to the
 * surrounding block instead of dropped (or of growing the list without end).
 */
class BanListScaleTest {
  private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
  private static final InstantSource CLOCK = () -> T0;

  @TempDir Path dir;

  private static InetAddress ip(String text) throws IOException {
    return InetAddress.getByName(text);
  }

  private static List<String> targets(BanList list) {
    return list.active(T0).stream().map(b -> b.target().shortText()).toList();
  }

  /** A journal holding {@code count} /64 bans, 2001:db8:X:Y::/64, as a long-running proxy has. */
  private Path journalOf(int count) throws IOException {
    StringBuilder text = new StringBuilder(BanJournal.HEADER).append('\n');
    long until = T0.plus(Duration.ofHours(1)).toEpochMilli();
    for (int i = 0; i < count; i++) {
      text.append("ban\t2001:db8:")
          .append(Integer.toHexString(i / 2))
          .append(':')
          .append(i % 2)
          .append("::/64\t")
          .append(until)
          .append("\tflood\tstarted=")
          .append(T0.toEpochMilli())
          .append("\tby=strikes\n");
    }
    Path journal = dir.resolve("bans-" + count + ".journal");
    Files.writeString(journal, text);
    return journal;
  }

  @Test
  void isBanned_costsAboutTheSameWith100kBlockBansAsWith100() throws Exception {
    InetAddress[] probes = new InetAddress[2000];
    for (int i = 0; i < probes.length; i++) {
      probes[i] = ip("2001:db8:" + Integer.toHexString(40_000 + i) + ":7::1");
    }
    try (BanList small = BanList.open(journalOf(100), List.of(), CLOCK, 1000);
        BanList large = BanList.open(journalOf(100_000), List.of(), CLOCK, 1000)) {
      assertTrue(large.isBanned(ip("2001:db8:abc:1::42"), T0));
      assertFalse(large.isBanned(ip("2001:db8:abc:2::42"), T0));
      long smallNanos = Long.MAX_VALUE;
      long largeNanos = Long.MAX_VALUE;
      for (int round = 0; round < 5; round++) {
        smallNanos = Math.min(smallNanos, time(small, probes));
        largeNanos = Math.min(largeNanos, time(large, probes));
      }
      // A scan of the blocks takes ~1000x longer with 100k bans; a hash probe per prefix length
      // takes about as long (cache misses aside).
      assertTrue(
          largeNanos < 20 * Math.max(smallNanos, 1_000_000),
          "2000 lookups with 100k bans: "
              + largeNanos / 1000
              + " µs, with 100: "
              + smallNanos / 1000
              + " µs");
    }
  }

  private static long time(BanList list, InetAddress[] probes) {
    long start = System.nanoTime();
    for (InetAddress a : probes) {
      if (list.isBanned(a, T0)) {
        throw new AssertionError(a + " is not banned");
      }
    }
    return System.nanoTime() - start;
  }

  @Test
  void banAtTheCap_isWidenedToTheSlash24_whichAbsorbsTheBansInside_andSurvivesARestart()
      throws Exception {
    Path journal = dir.resolve("bans.journal");
    try (BanList list = BanList.open(journal, List.of(), CLOCK, 1000)) {
      list.cap(new BanCap(3));
      list.ban(Cidr.parse("198.51.100.1"), Duration.ofMinutes(30), "a", List.of("s1"), "test");
      list.ban(Cidr.parse("198.51.100.2"), Duration.ofMinutes(10), "b", List.of("s2"), "test");
      list.ban(Cidr.parse("203.0.113.9"), Duration.ofMinutes(10), "c", List.of(), "test");

      Ban widened =
          list.ban(Cidr.parse("198.51.100.3"), Duration.ofMinutes(10), "d", List.of("s3"), "test")
              .ban();

      assertEquals("198.51.100.0/24", widened.target().shortText());
      assertEquals("d (widened from 198.51.100.3: ban list at its cap of 3)", widened.reason());
      assertEquals(T0.plus(Duration.ofMinutes(30)), widened.until(), "the longest absorbed ban");
      assertEquals(List.of("s1", "s2", "s3"), widened.history());
      assertEquals(List.of("198.51.100.0/24", "203.0.113.9"), targets(list));
      assertTrue(list.isBanned(ip("198.51.100.200"), T0));
    }
    try (BanList list = BanList.open(journal, List.of(), CLOCK, 1000)) {
      assertEquals(List.of("198.51.100.0/24", "203.0.113.9"), targets(list));
    }
  }

  @Test
  void banAtTheCap_ofAnIpv6Slash64_becomesTheSlash48_orTheSlash32_whicheverFitsTheCap()
      throws Exception {
    try (BanList list = BanList.open(dir.resolve("bans.journal"), List.of(), CLOCK, 1000)) {
      list.cap(new BanCap(2));
      list.ban(Cidr.parse("2001:db8:1:1::/64"), Duration.ofMinutes(10), "a", List.of(), "test");
      list.ban(Cidr.parse("2001:db8:2:1::/64"), Duration.ofMinutes(10), "b", List.of(), "test");

      // The /48 around 2001:db8:1:2:: holds one ban: banning it keeps the list at 2.
      list.ban(Cidr.parse("2001:db8:1:2::/64"), Duration.ofMinutes(10), "c", List.of(), "test");
      assertEquals(List.of("2001:db8:1::/48", "2001:db8:2:1::/64"), targets(list));

      // The /48 around 2001:db8:3:: holds none (3 bans): the /32 absorbs both and fits.
      list.ban(Cidr.parse("2001:db8:3:1::/64"), Duration.ofMinutes(10), "d", List.of(), "test");
      assertEquals(List.of("2001:db8::/32"), targets(list));
    }
  }

  @Test
  void banAtTheCap_isKeptAsItIs_overTheCap_whenTheWiderBlockTouchesANeverBanBlock()
      throws Exception {
    try (BanList list =
        BanList.open(dir.resolve("bans.journal"), List.of(Cidr.parse("192.0.2.10")), CLOCK, 1000)) {
      list.cap(new BanCap(1));
      list.ban(Cidr.parse("203.0.113.9"), Duration.ofMinutes(10), "a", List.of(), "test");

      list.ban(Cidr.parse("192.0.2.77"), Duration.ofMinutes(10), "b", List.of(), "test");

      assertEquals(List.of("192.0.2.77", "203.0.113.9"), targets(list));
      assertFalse(list.isBanned(ip("192.0.2.10"), T0));
    }
  }

  @Test
  void memoryBans_atTheCap_widenToo_andNeverDropABan() throws Exception {
    MemoryBans bans = new MemoryBans(new BanCap(2));
    bans.ban(ip("198.51.100.1"), 32, Duration.ofMinutes(10), "a", List.of(), "test");
    bans.ban(ip("203.0.113.1"), 32, Duration.ofMinutes(10), "b", List.of(), "test");
    bans.ban(ip("198.51.100.2"), 32, Duration.ofMinutes(10), "c", List.of(), "test");

    assertEquals(
        List.of("198.51.100.0/24", "203.0.113.1"),
        bans.active().stream().map(e -> e.target().shortText()).sorted().toList());
    assertTrue(bans.isBanned(ip("198.51.100.2")));
    assertTrue(bans.isBanned(ip("203.0.113.1")));
  }
}
