package io.wssguard.limit;

/**
 * A compiled token-bucket rate in the form the generic cell rate algorithm (GCRA) needs: the time
 * one unit costs and how far ahead of real time the bucket may run (the burst).
 *
 * <p>A bucket is then a single {@code long}: its theoretical arrival time (TAT). Taking {@code n}
 * units moves the TAT to {@code max(tat, now) + n * nanosPerUnit}; that is allowed while the TAT
 * stays within {@code burst} units of now. Over any interval {@code t} at most {@code burst + t /
 * nanosPerUnit} units are admitted. Costs are rounded up to whole nanoseconds, so rounding only
 * ever admits less.
 */
public record Rate(double nanosPerUnit, long burstNanos, long burst) {

  public static Rate of(double perSecond, long burst) {
    if (!(perSecond > 0) || burst < 1) {
      throw new IllegalArgumentException(
          "rate " + perSecond + "/s burst " + burst + " (expected: > 0, >= 1)");
    }
    double perUnit = 1e9 / perSecond;
    return new Rate(perUnit, (long) Math.ceil(perUnit * burst) + roundingSlack(burst), burst);
  }

  /**
   * Each take rounds its cost up by less than a nanosecond; a burst taken in pieces must still fit,
   * so the burst allows one nanosecond per possible piece (capped: more than a million pieces in
   * one burst is not a real pattern, and the cap bounds what the slack can give away to one
   * millisecond of refill).
   */
  static long roundingSlack(long burst) {
    return Math.min(burst - 1, 1_000_000);
  }

  /** Nanoseconds that {@code units} cost, rounded up. */
  long cost(long units) {
    return (long) Math.ceil(units * nanosPerUnit);
  }

  /**
   * The bucket's next TAT if {@code units} are taken at {@code now}, or {@link Long#MIN_VALUE} when
   * that exceeds the burst.
   */
  long take(long tat, long units, long now) {
    long next = Math.max(tat, now) + cost(units);
    return next - now <= burstNanos ? next : Long.MIN_VALUE;
  }

  /** How long until {@code units} could be taken from a bucket at {@code tat}. */
  long waitNanos(long tat, long units, long now) {
    long next = Math.max(tat, now) + cost(units);
    return Math.max(1, next - now - burstNanos);
  }

  /** The TAT of a full bucket (everything available now). */
  static long full(long now) {
    return now;
  }
}
