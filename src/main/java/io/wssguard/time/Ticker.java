package io.wssguard.time;

import java.time.Instant;
import java.time.InstantSource;

/**
 * The time that admission, enforcement and bans run on: a monotonic nanosecond count for the hot
 * path (token buckets, strike windows, the source table's expiry) and, as an {@link InstantSource},
 * the wall-clock instant for bans, which outlive the process.
 *
 * <p>One replaceable source for both, so that a test can move time forward instead of sleeping and
 * recorded traffic can be replayed through the real enforcer on a virtual clock. {@link #nanos()}
 * returns a primitive: it is read once per socket read.
 */
public interface Ticker extends InstantSource {
  /** Nanoseconds from an arbitrary origin; only differences mean anything. */
  long nanos();

  /** The machine's clocks: {@link System#nanoTime()} and {@link Instant#now()}. */
  static Ticker system() {
    return SystemTicker.INSTANCE;
  }
}
