package io.wssguard.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PrefixIndexTest {
  private static final Object NOW = new Object();

  private static InetAddress ip(String text) throws Exception {
    return InetAddress.getByName(text);
  }

  private static String find(PrefixIndex<String> index, String address) throws Exception {
    return index.find(ip(address), NOW, (v, now) -> true);
  }

  @Test
  void find_answersWithTheLongestBlockHoldingTheAddress_perFamily() throws Exception {
    Map<Cidr, String> blocks = new LinkedHashMap<>();
    for (String b :
        new String[] {
          "10.0.0.0/8",
          "10.1.0.0/16",
          "10.1.2.3",
          "0.0.0.0/1",
          "2001:db8::/32",
          "2001:db8:1::/48",
          "2001:db8:1:2::/64",
          "2001:db8:1:2::7",
          "::/1"
        }) {
      blocks.put(Cidr.parse(b), b);
    }
    PrefixIndex<String> index = PrefixIndex.of(blocks);

    assertEquals("10.1.2.3", find(index, "10.1.2.3"));
    assertEquals("10.1.0.0/16", find(index, "10.1.2.4"));
    assertEquals("10.0.0.0/8", find(index, "10.2.0.1"));
    assertEquals("0.0.0.0/1", find(index, "11.0.0.1"));
    assertNull(find(index, "192.0.2.1"));
    assertEquals("2001:db8:1:2::7", find(index, "2001:db8:1:2::7"));
    assertEquals("2001:db8:1:2::/64", find(index, "2001:db8:1:2::8"));
    assertEquals("2001:db8:1::/48", find(index, "2001:db8:1:3::1"));
    assertEquals("2001:db8::/32", find(index, "2001:db8:2::1"));
    assertEquals("::/1", find(index, "::1"));
    assertNull(find(index, "ffff::1"));
    // An IPv4 block never holds an IPv6 address, even one whose low bits look alike.
    assertNull(find(PrefixIndex.of(Map.of(Cidr.parse("10.1.2.3"), "v4")), "::a01:203"));
    assertEquals("2001:db8:1::/48", index.get(Cidr.parse("2001:db8:1::/48")));
    assertNull(index.get(Cidr.parse("2001:db8:1::/56")));
  }

  @Test
  void find_skipsEntriesThatAreNoLongerLive_andFallsBackToAWiderBlock() throws Exception {
    PrefixIndex<Long> index =
        PrefixIndex.of(
            Map.of(Cidr.parse("2001:db8:1:2::/64"), 100L, Cidr.parse("2001:db8:1::/48"), 300L));

    assertEquals(100L, index.find(ip("2001:db8:1:2::1"), 50L, (until, now) -> until > now));
    assertEquals(300L, index.find(ip("2001:db8:1:2::1"), 200L, (until, now) -> until > now));
    assertNull(index.find(ip("2001:db8:1:2::1"), 400L, (until, now) -> until > now));
  }

  /**
   * With 100,000 blocks a lookup costs what it costs with 100: one probe per prefix length. A scan
   * of the blocks (the code before this index) is about 1,000 times slower at this size.
   */
  @Test
  void find_costsTheSameWith100kBlocksAsWith100() throws Exception {
    PrefixIndex<String> small = PrefixIndex.of(sixtyFours(100));
    PrefixIndex<String> large = PrefixIndex.of(sixtyFours(100_000));
    InetAddress[] probes = new InetAddress[4096];
    for (int i = 0; i < probes.length; i++) {
      probes[i] = ip("2001:db8:" + Integer.toHexString(i * 31 % 65536) + ":" + (i % 7) + "::9");
    }
    long smallNanos = Long.MAX_VALUE;
    long largeNanos = Long.MAX_VALUE;
    // Best of several rounds: the first ones warm the JIT, and the machine is shared.
    for (int round = 0; round < 8; round++) {
      smallNanos = Math.min(smallNanos, time(small, probes));
      largeNanos = Math.min(largeNanos, time(large, probes));
    }
    assertTrue(
        largeNanos < 20 * Math.max(smallNanos, 1_000_000),
        "100k blocks: " + largeNanos / 1000 + " µs, 100 blocks: " + smallNanos / 1000 + " µs");
    assertEquals("2001:db8:abc:1::/64", find(large, "2001:db8:abc:1::42"));
  }

  private static long time(PrefixIndex<String> index, InetAddress[] probes) {
    long start = System.nanoTime();
    int hits = 0;
    for (int rep = 0; rep < 10; rep++) {
      for (InetAddress a : probes) {
        if (index.find(a, NOW, (v, now) -> true) != null) {
          hits++;
        }
      }
    }
    long took = System.nanoTime() - start;
    assertTrue(hits >= 0);
    return took;
  }

  /** {@code count} /64 blocks: 2001:db8:X:Y::/64 for X below 65536, Y below 2. */
  static Map<Cidr, String> sixtyFours(int count) throws Exception {
    Map<Cidr, String> blocks = new HashMap<>();
    for (int i = 0; i < count; i++) {
      String b = "2001:db8:" + Integer.toHexString(i / 2) + ":" + (i % 2) + "::/64";
      blocks.put(Cidr.parse(b), b);
    }
    return blocks;
  }
}
