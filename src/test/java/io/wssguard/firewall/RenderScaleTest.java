package io.wssguard.firewall;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.wssguard.ban.Ban;
import io.wssguard.net.Cidr;
import java.net.InetAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * Rendering grows linearly with the number of bans (up to the sort): 100,000 bans take no more than
 * about 10 times as long as 10,000 (a quadratic step would take 100 times). Timings are the best of
 * a few runs, so a busy machine slows both sizes alike; BENCHMARKS.md has the numbers.
 */
class RenderScaleTest {
  private static final Instant NOW = Instant.parse("2026-01-01T00:00:00Z");

  /**
   * {@code count} bans, half IPv4 hosts and half IPv6 /64s, with every 10,000th a wider block
   * holding some of the others (so nftables has bans to leave out).
   */
  static List<Ban> bans(int count) throws Exception {
    List<Ban> bans = new ArrayList<>(count);
    Instant until = NOW.plus(Duration.ofMinutes(30));
    for (int i = 0; i < count; i++) {
      Cidr target;
      if (i % 2 == 0) {
        int n = 0x0A000000 + i;
        byte[] a = {(byte) (n >>> 24), (byte) (n >>> 16), (byte) (n >>> 8), (byte) n};
        target = new Cidr(InetAddress.getByAddress(a), i % 10_000 == 0 ? 24 : 32);
      } else {
        byte[] a = new byte[16];
        a[0] = 0x20;
        a[1] = 0x01;
        a[2] = 0x0d;
        a[3] = (byte) 0xb8;
        a[4] = (byte) (i >>> 16);
        a[5] = (byte) (i >>> 8);
        a[6] = (byte) i;
        target = new Cidr(InetAddress.getByAddress(a), i % 10_000 == 1 ? 48 : 64);
      }
      bans.add(new Ban(target, until, "scale", List.of(), null, "test"));
    }
    return bans;
  }

  @Test
  void ipsetAndNftables_render100kBans_inAboutTenTimesTheTimeOf10k() throws Exception {
    FirewallConfig ipset = FirewallConfig.of(FirewallConfig.Backend.IPSET, List.of(443));
    FirewallConfig nft = FirewallConfig.of(FirewallConfig.Backend.NFTABLES, List.of(443));
    assertLinear("ipset", b -> IpsetRenderer.ipsetRestore(b, ipset, NOW));
    assertLinear("nftables", b -> NftablesRenderer.render(b, nft, NOW));
    assertLinear(
        "iptables",
        b ->
            IptablesRenderer.chainRestore(b, ipset, Family.IPV4, NOW)
                + IptablesRenderer.chainRestore(b, ipset, Family.IPV6, NOW));
  }

  private static void assertLinear(String what, Function<List<Ban>, String> render)
      throws Exception {
    List<Ban> small = bans(10_000);
    List<Ban> large = bans(100_000);
    long smallNanos = Long.MAX_VALUE;
    long largeNanos = Long.MAX_VALUE;
    for (int round = 0; round < 8; round++) {
      smallNanos = Math.min(smallNanos, time(render, small));
      largeNanos = Math.min(largeNanos, time(render, large));
    }
    String text = render.apply(large);
    assertTrue(text.contains("10.1.134.158"), what + " output lacks a ban");
    // Ten times the input may take up to 25 times as long (sorting, caches, garbage collection of
    // the large text, a noisy neighbour), with a 20 ms floor against noise at 10k;
    // a quadratic renderer takes 100 times.
    assertTrue(
        largeNanos < 25 * Math.max(smallNanos, 20_000_000),
        what
            + ": 100k bans in "
            + largeNanos / 1_000_000
            + " ms, 10k in "
            + smallNanos / 1_000_000
            + " ms");
    assertEquals(text, render.apply(large), what + " is a function of its input");
  }

  private static long time(Function<List<Ban>, String> render, List<Ban> bans) {
    long start = System.nanoTime();
    String text = render.apply(bans);
    long took = System.nanoTime() - start;
    assertTrue(text.length() > bans.size());
    return took;
  }
}
