package io.wssguard.time;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A {@link Ticker} that moves only when a test says so: buckets refill and bans end at {@link
 * #advance}, never because the machine was slow. Read by IO threads, so the time is atomic.
 */
public final class ManualTicker implements Ticker {
  /** Far from zero, so code that mistakes a timestamp for a duration shows up. */
  private static final long START_NANOS = 1_000_000_000_000L;

  private final Instant origin;
  private final AtomicLong elapsed = new AtomicLong();

  public ManualTicker() {
    this(Instant.parse("2030-01-01T00:00:00Z"));
  }

  public ManualTicker(Instant origin) {
    this.origin = origin;
  }

  public void advance(Duration by) {
    if (by.isNegative()) {
      throw new IllegalArgumentException("time only moves forward: " + by);
    }
    elapsed.addAndGet(by.toNanos());
  }

  @Override
  public long nanos() {
    return START_NANOS + elapsed.get();
  }

  @Override
  public Instant instant() {
    return origin.plusNanos(elapsed.get());
  }
}
