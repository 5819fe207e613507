package io.wssguard.fleet;

import io.wssguard.time.Ticker;
import java.util.HashMap;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Warnings about the fleet's Redis at most once a minute per kind ("down", "refused entry"...),
 * with how many were left out since: an outage lasting hours, or a hostile node writing thousands
 * of entries, must not flood the log.
 */
final class QuietLog {
  static final long INTERVAL_NANOS = 60_000_000_000L;

  private final Logger log;
  private final Ticker ticker;
  private final Map<String, long[]> kinds = new HashMap<>();

  QuietLog(Logger log, Ticker ticker) {
    this.log = log;
    this.ticker = ticker;
  }

  /**
   * Logs {@code message} unless a warning of this {@code kind} was logged less than a minute ago.
   */
  synchronized boolean warn(String kind, String message) {
    long now = ticker.nanos();
    long[] state = kinds.get(kind); // [last logged at, left out since]
    if (state != null && now - state[0] < INTERVAL_NANOS) {
      state[1]++;
      return false;
    }
    long leftOut = state == null ? 0 : state[1];
    kinds.put(kind, new long[] {now, 0});
    log.log(
        Level.WARNING,
        leftOut == 0 ? message : message + " (" + leftOut + " more like it in the last minute)");
    return true;
  }

  /** Lets the next warning of {@code kind} through at once (the trouble ended). */
  synchronized void reset(String kind) {
    kinds.remove(kind);
  }
}
