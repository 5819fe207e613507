package io.wssguard.observe;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The heaviest sources by some count, in bounded memory: the Space-Saving algorithm (Metwally,
 * Agrawal, El Abbadi, 2005). At most {@code capacity} sources are tracked; a new one replaces the
 * smallest, inheriting its count as its possible overcount ({@code error}). Any source whose true
 * count exceeds total/capacity is guaranteed to be present, so with a capacity well above the
 * {@code n} asked for, the top of the list is right.
 *
 * <p>Fed at relay flushes and security events, never per frame; a lock is fine at that rate.
 */
public final class TopSources {
  public record Entry(String source, long count, long error) {}

  private final int capacity;
  private final Map<String, long[]> counts = new HashMap<>();

  TopSources(int capacity) {
    this.capacity = capacity;
  }

  public synchronized void add(String source, long n) {
    if (n <= 0) {
      return;
    }
    long[] c = counts.get(source);
    if (c != null) {
      c[0] += n;
      return;
    }
    if (counts.size() < capacity) {
      counts.put(source, new long[] {n, 0});
      return;
    }
    String smallest = null;
    long min = Long.MAX_VALUE;
    for (Map.Entry<String, long[]> e : counts.entrySet()) {
      if (e.getValue()[0] < min) {
        min = e.getValue()[0];
        smallest = e.getKey();
      }
    }
    counts.remove(smallest);
    counts.put(source, new long[] {min + n, min});
  }

  public synchronized List<Entry> top(int n) {
    List<Entry> all = new ArrayList<>(counts.size());
    counts.forEach((k, v) -> all.add(new Entry(k, v[0], v[1])));
    all.sort((a, b) -> Long.compare(b.count(), a.count()));
    return List.copyOf(all.subList(0, Math.min(n, all.size())));
  }
}
