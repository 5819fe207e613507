package io.wssguard.limit;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.wssguard.ban.MemoryBans;
import io.wssguard.frame.FrameGate;
import io.wssguard.policy.AccessRules;
import io.wssguard.policy.Action;
import io.wssguard.policy.HandshakeRules;
import io.wssguard.policy.Mode;
import io.wssguard.policy.PerConnectionLimits;
import io.wssguard.policy.PerIpLimits;
import io.wssguard.policy.Policy;
import io.wssguard.policy.RateLimit;
import java.net.InetAddress;
import java.net.UnknownHostException;
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
 * admitted, and the advertised wait is enough. Checked on the real buckets: a connection's own (a
 * {@link ConnectionGate} whose one limit is payload bytes, so a frame of {@code n} bytes takes
 * {@code n} units) and the {@link SharedTokenBucket} of a source.
 */
class TokenBucketPropertiesTest {
  private static final int BINARY = 2;
  private static final Enforcer ENFORCER = new Enforcer(new MemoryBans());

  @Property(tries = 500)
  void neverAdmitsMoreThanRateTimesTimePlusBurst(
      @ForAll @IntRange(min = 1, max = 100_000) int perSecond,
      @ForAll @IntRange(min = 1, max = 1000) int burstFactorPercent,
      @ForAll("arrivals") List<long[]> arrivals) {
    long burst = Math.max(1, (long) perSecond * burstFactorPercent / 100);
    Rate rate = Rate.of(perSecond, burst);
    long start = 1_000_000_000L;
    ConnectionGate bucket = connectionBytes(perSecond, burst, start);
    SharedTokenBucket shared = new SharedTokenBucket(start);
    long now = start;
    long admitted = 0;
    long admittedShared = 0;
    for (long[] a : arrivals) {
      now += a[0];
      long units = a[1];
      if (take(bucket, units, now)) {
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
    ConnectionGate bucket = connectionBytes(perSecond, burst, now);
    SharedTokenBucket shared = new SharedTokenBucket(now);
    assertTrue(take(bucket, burst, now), "a full bucket holds the burst");
    assertTrue(shared.tryTake(Rate.of(perSecond, burst), burst, now), "a full shared bucket too");
  }

  @Property(tries = 200)
  void admitsAFullBurstTakenOneUnitAtATime(
      @ForAll @IntRange(min = 1, max = 1_000_000) int perSecond,
      @ForAll @LongRange(min = 1, max = 5_000) long burst) {
    Rate rate = Rate.of(perSecond, burst);
    ConnectionGate bucket = connectionBytes(perSecond, burst, 0);
    SharedTokenBucket shared = new SharedTokenBucket(0);
    for (long i = 0; i < burst; i++) {
      assertTrue(take(bucket, 1, 0) && shared.tryTake(rate, 1, 0), "unit " + i + " of the burst");
    }
  }

  @Property(tries = 200)
  void waitTimeIsEnough(
      @ForAll @IntRange(min = 1, max = 100_000) int perSecond,
      @ForAll @LongRange(min = 1, max = 1000) long burst,
      @ForAll @Size(max = 50) List<@IntRange(min = 1, max = 1000) Integer> takes) {
    Rate rate = Rate.of(perSecond, burst);
    long now = 0;
    ConnectionGate bucket = connectionBytes(perSecond, burst, now);
    SharedTokenBucket shared = new SharedTokenBucket(now);
    for (int t : takes) {
      long units = Math.min(t, burst);
      if (!take(bucket, units, now)) {
        now += bucket.throttleNanos();
        assertTrue(take(bucket, units, now), "after waiting the throttle time the units fit");
      }
      if (!shared.tryTake(rate, units, now)) {
        now += shared.waitNanos(rate, units, now);
        assertTrue(shared.tryTake(rate, units, now), "after the advertised wait the units fit");
      }
    }
  }

  /**
   * A connection's bytes bucket as the relay uses it: a gate whose policy has that one limit,
   * throttling (so a refusal says how long to wait).
   */
  private static ConnectionGate connectionBytes(double perSecond, long burst, long now) {
    RateLimit bytes = new RateLimit(perSecond, burst, Action.THROTTLE, false);
    CompiledPolicy p =
        new CompiledPolicy(
            new Policy(
                "p",
                Mode.ENFORCE,
                HandshakeRules.NONE,
                PerIpLimits.NONE,
                new PerConnectionLimits(null, bytes, null, null, null, null),
                AccessRules.NONE,
                null,
                "test",
                1));
    InetAddress client = address("192.0.2.1");
    return new ConnectionGate(
        () -> p, new SourceState(SourceKey.of(client, 64), now), ENFORCER, client, now);
  }

  /** A binary frame of {@code units} payload bytes at {@code now}; whether it passed. */
  private static boolean take(ConnectionGate gate, long units, long now) {
    gate.now(now);
    return gate.onFrame(BINARY, units, true, 0) == FrameGate.PASS;
  }

  private static InetAddress address(String literal) {
    try {
      return InetAddress.getByName(literal);
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException(e);
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
