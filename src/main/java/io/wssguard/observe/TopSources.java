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
  /**
   * A source, its count (at most {@code error} too high) and the route it was last counted on (null
   * when not known).
   */
  public record Entry(String source, long count, long error, String route) {}

  /** A tracked source's count, overcount and last route. */
  private static final class Count {
    long count;
    long error;
    String route;

    Count(long count, long error, String route) {
      this.count = count;
      this.error = error;
      this.route = route;
    }
  }

  private final int capacity;
  private final Map<String, Count> counts = new HashMap<>();

  TopSources(int capacity) {
    this.capacity = capacity;
  }

  public void add(String source, long n) {
    add(source, n, null);
  }

  /** Counts {@code n} for {@code source}, seen on {@code route} (null: keep the last one known). */
  public synchronized void add(String source, long n, String route) {
    if (n <= 0) {
      return;
    }
    Count c = counts.get(source);
    if (c != null) {
      c.count += n;
      if (route != null) {
        c.route = route;
      }
      return;
    }
    if (counts.size() < capacity) {
      counts.put(source, new Count(n, 0, route));
      return;
    }
    String smallest = null;
    long min = Long.MAX_VALUE;
    for (Map.Entry<String, Count> e : counts.entrySet()) {
      if (e.getValue().count < min) {
        min = e.getValue().count;
        smallest = e.getKey();
      }
    }
    counts.remove(smallest);
    counts.put(source, new Count(min + n, min, route));
  }

  public synchronized List<Entry> top(int n) {
    List<Entry> all = new ArrayList<>(counts.size());
    counts.forEach((k, v) -> all.add(new Entry(k, v.count, v.error, v.route)));
    all.sort((a, b) -> Long.compare(b.count(), a.count()));
    return List.copyOf(all.subList(0, Math.min(n, all.size())));
  }
}
