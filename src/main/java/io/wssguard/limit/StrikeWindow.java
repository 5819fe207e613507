package io.wssguard.limit;

import java.util.ArrayDeque;
import java.util.List;

/**
 * The recent strikes of one source: how many fell within the window, and what they were (for the
 * ban's history). Strikes are rare events, so a small synchronized deque is enough.
 */
final class StrikeWindow {
  private record Strike(long atNanos, String what) {}

  private final ArrayDeque<Strike> strikes = new ArrayDeque<>();

  /** The window of the last strike counted (a policy's), for {@link #count}. */
  private long windowNanos;

  /** Records a strike and returns the strikes now within {@code windowNanos}, oldest first. */
  synchronized List<String> add(long now, long windowNanos, String what, int keepAtMost) {
    this.windowNanos = windowNanos;
    strikes.addLast(new Strike(now, what));
    while (!strikes.isEmpty() && now - strikes.peekFirst().atNanos() > windowNanos) {
      strikes.removeFirst();
    }
    while (strikes.size() > keepAtMost) {
      strikes.removeFirst();
    }
    return strikes.stream().map(Strike::what).toList();
  }

  /** The strikes still within the window of the last one (for the console's top sources). */
  synchronized int count(long now) {
    int n = 0;
    for (Strike s : strikes) {
      if (now - s.atNanos() <= windowNanos) {
        n++;
      }
    }
    return n;
  }

  synchronized void clear() {
    strikes.clear();
  }
}
