package io.wssguard.limit;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;
import net.jqwik.api.constraints.Size;

/**
 * Whatever the arrival pattern, a bucket never admits more than {@code rate * elapsed + burst}
 * units (to within the one nanosecond that rounding may give), a request that fits a full bucket is
 * admitted, and the advertised wait is enough.
 */
class TokenBucketProperties {

  @Property(tries = 500)
  void neverAdmitsMoreThanRateTimesTimePlusBurst(
      @ForAll @IntRange(min = 1, max = 100_000) int perSecond,
      @ForAll @IntRange(min = 1, max = 1000) int burstFactorPercent,
      @ForAll("arrivals") List<long[]> arrivals) {
    long burst = Math.max(1, (long) perSecond * burstFactorPercent / 100);
    Rate rate = Rate.of(perSecond, burst);
    long start = 1_000_000_000L;
    OwnedBucket bucket = new OwnedBucket(start);
    SharedTokenBucket shared = new SharedTokenBucket(start);
    long now = start;
    long admitted = 0;
    long admittedShared = 0;
    for (long[] a : arrivals) {
      now += a[0];
      long units = a[1];
      if (bucket.tryTake(rate, units, now)) {
        admitted += units;
      }
      if (shared.tryTake(rate, units, now)) {
        admittedShared += units;
      }
      // Costs round up to whole nanoseconds; the burst's rounding slack is the only give.
      double bound = perSecond * ((now - start + 1 + Rate.roundingSlack(burst)) / 1e9) + burst;
      assertTrue(admitted <= bound + 1e-6, admitted + " admitted, bound " + bound);
      assertTrue(admittedShared == admitted, "both buckets follow the same arithmetic");
    }
  }

  @Property(tries = 200)
  void admitsWhatAFullBucketHolds(
      @ForAll @IntRange(min = 1, max = 1_000_000) int perSecond,
      @ForAll @LongRange(min = 1, max = 10_000) long burst,
      @ForAll @LongRange(min = 0, max = 1L << 40) long now) {
    Rate rate = Rate.of(perSecond, burst);
    OwnedBucket bucket = new OwnedBucket(now);
    assertTrue(bucket.tryTake(rate, burst, now), "a full bucket holds the burst");
  }

  @Property(tries = 200)
  void admitsAFullBurstTakenOneUnitAtATime(
      @ForAll @IntRange(min = 1, max = 1_000_000) int perSecond,
      @ForAll @LongRange(min = 1, max = 5_000) long burst) {
    Rate rate = Rate.of(perSecond, burst);
    OwnedBucket bucket = new OwnedBucket(0);
    SharedTokenBucket shared = new SharedTokenBucket(0);
    for (long i = 0; i < burst; i++) {
      assertTrue(
          bucket.tryTake(rate, 1, 0) && shared.tryTake(rate, 1, 0), "unit " + i + " of the burst");
    }
  }

  @Property(tries = 200)
  void waitTimeIsEnough(
      @ForAll @IntRange(min = 1, max = 100_000) int perSecond,
      @ForAll @LongRange(min = 1, max = 1000) long burst,
      @ForAll @Size(max = 50) List<@IntRange(min = 1, max = 1000) Integer> takes) {
    Rate rate = Rate.of(perSecond, burst);
    long now = 0;
    OwnedBucket bucket = new OwnedBucket(now);
    for (int t : takes) {
      long units = Math.min(t, burst);
      if (!bucket.tryTake(rate, units, now)) {
        now += bucket.waitNanos(rate, units, now);
        assertTrue(
            bucket.tryTake(rate, units, now), "after waiting the advertised time the units fit");
      }
    }
  }

  /** A bucket as a connection keeps it: one plain field (see ConnectionGate). */
  private static final class OwnedBucket {
    private long tat;

    OwnedBucket(long now) {
      tat = now;
    }

    boolean tryTake(Rate rate, long units, long now) {
      long next = rate.take(tat, units, now);
      if (next == Long.MIN_VALUE) {
        return false;
      }
      tat = next;
      return true;
    }

    long waitNanos(Rate rate, long units, long now) {
      return rate.waitNanos(tat, units, now);
    }
  }

  @Provide
  Arbitrary<List<long[]>> arrivals() {
    Arbitrary<long[]> one =
        Arbitraries.longs()
            .between(0, 50_000_000L)
            .flatMap(
                gap -> Arbitraries.longs().between(1, 50).map(units -> new long[] {gap, units}));
    return one.list().ofMaxSize(300);
  }
}
