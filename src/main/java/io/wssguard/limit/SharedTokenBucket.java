package io.wssguard.limit;

import java.util.concurrent.atomic.AtomicLong;

/**
 * A token bucket shared by all connections of one source address, which may live on different IO
 * threads: the same single-{@code long} state a connection keeps for its own buckets (see {@link
 * Rate}), updated by compare-and-set.
 */
public final class SharedTokenBucket {
  /** The most debt {@link #charge} can put a bucket in: ten seconds past empty. */
  static final long MAX_DEBT_NANOS = 10_000_000_000L;

  private final AtomicLong tat;

  public SharedTokenBucket(long now) {
    this.tat = new AtomicLong(Rate.full(now));
  }

  public boolean tryTake(Rate rate, long units, long now) {
    while (true) {
      long current = tat.get();
      long next = rate.take(current, units, now);
      if (next == Long.MIN_VALUE) {
        return false;
      }
      if (tat.compareAndSet(current, next)) {
        return true;
      }
    }
  }

  /**
   * Takes {@code units} that were used elsewhere (another node of the fleet) whatever the bucket
   * holds: the bucket may go into debt, which later takes pay back, but never by more than {@link
   * #MAX_DEBT_NANOS} past empty, so a wrong count from the fleet cannot lock a source out for long.
   */
  public void charge(Rate rate, long units, long now) {
    while (true) {
      long current = tat.get();
      long next = Math.max(current, now) + rate.cost(units);
      long cap = now + rate.burstNanos() + MAX_DEBT_NANOS;
      if (next - cap > 0 || next < current) { // past the cap, or overflowed
        next = Math.max(current, cap);
      }
      if (tat.compareAndSet(current, next)) {
        return;
      }
    }
  }

  public long waitNanos(Rate rate, long units, long now) {
    return rate.waitNanos(tat.get(), units, now);
  }
}
