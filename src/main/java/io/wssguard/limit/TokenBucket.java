package io.wssguard.limit;

/**
 * A token bucket owned by one thread (a connection's own limits): a single {@code long}, no locks, no allocation.
 * See {@link Rate} for the arithmetic.
 */
public final class TokenBucket {
  private long tat;

  public TokenBucket(long now) {
    this.tat = Rate.full(now);
  }

  /** Takes {@code units} if the rate allows it now; returns whether it did. */
  public boolean tryTake(Rate rate, long units, long now) {
    long next = rate.take(tat, units, now);
    if (next == Long.MIN_VALUE) {
      return false;
    }
    tat = next;
    return true;
  }

  /** The state after taking {@code units} now, or {@link Long#MIN_VALUE} if not allowed; see {@link #commit}. */
  public long peek(Rate rate, long units, long now) {
    return rate.take(tat, units, now);
  }

  /** Applies a state obtained from {@link #peek}. */
  public void commit(long next) {
    tat = next;
  }

  /** How long until {@code units} could be taken. */
  public long waitNanos(Rate rate, long units, long now) {
    return rate.waitNanos(tat, units, now);
  }
}
