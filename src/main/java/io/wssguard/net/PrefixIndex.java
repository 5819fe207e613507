package io.wssguard.net;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.function.BiPredicate;

/**
 * An immutable map from address blocks to values that answers "which block holds this address" in
 * at most one hash probe per distinct prefix length in use (33 for IPv4, 129 for IPv6 at worst; a
 * ban list has a handful), whatever the number of blocks.
 *
 * <p>Blocks are grouped by family and prefix length; each group is an open-addressing table keyed
 * by the block's network as two {@code long}s (IPv4 in the low one). A lookup masks the address
 * once per group, longest prefix first, so the most specific block answers first and a wider one
 * only when the narrower ones do not hold (or are no longer live). No lock, no allocation beyond
 * the address bytes the JDK hands out: built once by a writer and published through a volatile
 * field, it is read by every handshake.
 */
public final class PrefixIndex<V> {
  private static final PrefixIndex<Object> EMPTY = new PrefixIndex<>(new Level[0], new Level[0], 0);

  private final Level[] v4;
  private final Level[] v6;
  private final int size;

  private PrefixIndex(Level[] v4, Level[] v6, int size) {
    this.v4 = v4;
    this.v6 = v6;
    this.size = size;
  }

  @SuppressWarnings("unchecked")
  public static <V> PrefixIndex<V> empty() {
    return (PrefixIndex<V>) EMPTY;
  }

  /** An index of {@code blocks}; building it is linear in their number. */
  public static <V> PrefixIndex<V> of(Map<Cidr, ? extends V> blocks) {
    if (blocks.isEmpty()) {
      return empty();
    }
    // Longest prefix first: the order of the probes.
    TreeMap<Integer, List<Map.Entry<Cidr, ? extends V>>> v4 = new TreeMap<>((a, b) -> b - a);
    TreeMap<Integer, List<Map.Entry<Cidr, ? extends V>>> v6 = new TreeMap<>((a, b) -> b - a);
    for (Map.Entry<Cidr, ? extends V> e : blocks.entrySet()) {
      Cidr c = e.getKey();
      (c.network() instanceof Inet4Address ? v4 : v6)
          .computeIfAbsent(c.prefix(), p -> new ArrayList<>())
          .add(e);
    }
    return new PrefixIndex<>(levels(v4, true), levels(v6, false), blocks.size());
  }

  private static <V> Level[] levels(
      SortedMap<Integer, List<Map.Entry<Cidr, ? extends V>>> byPrefix, boolean v4) {
    Level[] levels = new Level[byPrefix.size()];
    int i = 0;
    for (Map.Entry<Integer, List<Map.Entry<Cidr, ? extends V>>> e : byPrefix.entrySet()) {
      levels[i++] = new Level(e.getKey(), v4, e.getValue());
    }
    return levels;
  }

  public int size() {
    return size;
  }

  /**
   * The value of the longest block holding {@code address} for which {@code live(value, now)}
   * holds, or null. {@code live} lets a caller skip entries that have ended without rebuilding the
   * index (pass a method reference, such as {@code Ban::activeAt}, so no object is made per call).
   */
  public <T> V find(InetAddress address, T now, BiPredicate<? super V, ? super T> live) {
    if (size == 0) {
      return null;
    }
    Level[] levels;
    long hi;
    long lo;
    if (address instanceof Inet4Address) {
      levels = v4;
      hi = 0;
      // Inet4Address's hash code is its address: no copy of the bytes needed.
      lo = address.hashCode() & 0xFFFFFFFFL;
    } else {
      levels = v6;
      byte[] a = address.getAddress();
      hi = word(a, 0);
      lo = word(a, 8);
    }
    for (Level level : levels) {
      @SuppressWarnings("unchecked")
      V v = (V) level.get(hi & level.maskHi, lo & level.maskLo);
      if (v != null && live.test(v, now)) {
        return v;
      }
    }
    return null;
  }

  /** The value stored for exactly {@code block}, or null. */
  @SuppressWarnings("unchecked")
  public V get(Cidr block) {
    byte[] a = block.network().getAddress();
    boolean v4 = a.length == 4;
    long hi = v4 ? 0 : word(a, 0);
    long lo = v4 ? word4(a) : word(a, 8);
    for (Level level : v4 ? this.v4 : v6) {
      if (level.prefix == block.prefix()) {
        return (V) level.get(hi, lo);
      }
    }
    return null;
  }

  private static long word(byte[] b, int from) {
    long v = 0;
    for (int i = from; i < from + 8; i++) {
      v = (v << 8) | (b[i] & 0xFFL);
    }
    return v;
  }

  private static long word4(byte[] b) {
    return ((b[0] & 0xFFL) << 24) | ((b[1] & 0xFFL) << 16) | ((b[2] & 0xFFL) << 8) | (b[3] & 0xFFL);
  }

  /** The blocks of one family and prefix length: linear probing over a power-of-two table. */
  private static final class Level {
    final int prefix;
    final long maskHi;
    final long maskLo;
    final long[] keys;
    final Object[] values;
    final int mask;

    <V> Level(int prefix, boolean v4, List<Map.Entry<Cidr, ? extends V>> entries) {
      this.prefix = prefix;
      // IPv4 lives in the low 32 bits of the low word.
      int bits = v4 ? prefix + 96 : prefix;
      maskHi = bits == 0 ? 0 : bits >= 64 ? -1L : -1L << (64 - bits);
      maskLo = bits <= 64 ? 0 : bits == 128 ? -1L : -1L << (128 - bits);
      // At most half full, so a miss ends after a short run.
      int capacity = Integer.highestOneBit(Math.max(2, entries.size() * 2 - 1)) << 1;
      keys = new long[capacity * 2];
      values = new Object[capacity];
      mask = capacity - 1;
      for (Map.Entry<Cidr, ? extends V> e : entries) {
        byte[] a = e.getKey().network().getAddress();
        long hi = v4 ? 0 : word(a, 0);
        long lo = v4 ? word4(a) : word(a, 8);
        int i = slot(hi, lo);
        while (values[i] != null) {
          i = (i + 1) & mask;
        }
        keys[2 * i] = hi;
        keys[2 * i + 1] = lo;
        values[i] = e.getValue();
      }
    }

    int slot(long hi, long lo) {
      long h = (hi * 0x9E3779B97F4A7C15L) ^ lo;
      h *= 0xC2B2AE3D27D4EB4FL;
      return (int) (h ^ (h >>> 32)) & mask;
    }

    Object get(long hi, long lo) {
      for (int i = slot(hi, lo); ; i = (i + 1) & mask) {
        Object v = values[i];
        if (v == null || (keys[2 * i] == hi && keys[2 * i + 1] == lo)) {
          return v;
        }
      }
    }
  }
}
