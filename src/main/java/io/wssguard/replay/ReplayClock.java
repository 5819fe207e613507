package io.wssguard.replay;

import io.wssguard.time.Ticker;
import java.time.Instant;

/**
 * The virtual clock of a replay: it stands at the recorded time of the event being replayed and
 * moves only forward, when the next event says so, so buckets refill, strikes age and bans end
 * exactly as recorded time passes, at any replay speed.
 */
final class ReplayClock implements Ticker {
  /** Far from zero, as the enforcement code only takes differences. */
  private static final long ORIGIN_NANOS = 1_000_000_000_000L;

  private long originMs = Long.MIN_VALUE;
  private long nanos = ORIGIN_NANOS;

  /** Moves to recorded wall time {@code epochMs} plus {@code extraNanos}, never backwards. */
  void moveTo(long epochMs, long extraNanos) {
    if (originMs == Long.MIN_VALUE) {
      originMs = epochMs;
    }
    nanos = Math.max(nanos, ORIGIN_NANOS + (epochMs - originMs) * 1_000_000L + extraNanos);
  }

  /** Moves {@code by} nanoseconds forward (a throttled frame waiting for its bucket). */
  void advance(long by) {
    nanos += by;
  }

  @Override
  public long nanos() {
    return nanos;
  }

  @Override
  public Instant instant() {
    long ms = originMs == Long.MIN_VALUE ? 0 : originMs;
    return Instant.ofEpochMilli(ms).plusNanos(nanos - ORIGIN_NANOS);
  }
}
