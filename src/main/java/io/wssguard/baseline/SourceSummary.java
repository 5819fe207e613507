package io.wssguard.baseline;

import java.util.EnumMap;
import java.util.Map;

/**
 * One source's own figures on one route while it is being watched: its samples of each {@link
 * Measure} (a small digest, made when the first comes), its open connections and its handshakes in
 * the current second. Folded into the route's per-source distributions when the source goes idle.
 */
final class SourceSummary {
  private final Map<Measure, Distribution> own = new EnumMap<>(Measure.class);
  int open;
  long lastEpochMs;
  long handshakeWindow = Long.MIN_VALUE;
  int handshakesInWindow;

  void add(Measure m, double value) {
    own.computeIfAbsent(m, x -> Distribution.forSource()).add(value);
  }

  /** Its samples of {@code m}, null when none. */
  Distribution own(Measure m) {
    return own.get(m);
  }
}
