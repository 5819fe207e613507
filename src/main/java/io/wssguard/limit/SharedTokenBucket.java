package io.wssguard.limit;

import java.util.concurrent.atomic.AtomicLong;

/**
 * A token bucket shared by all connections of one source address, which may live on different IO
 * threads: the same single-{@code long} state a connection keeps for its own buckets (see {@link
 * Rate}), updated by compare-and-set.
 */
public final class SharedTokenBucket {
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

  public long waitNanos(Rate rate, long units, long now) {
    return rate.waitNanos(tat.get(), units, now);
  }
}
