package io.wssguard.console;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.wssguard.limit.Rate;
import io.wssguard.limit.SharedTokenBucket;
import io.wssguard.limit.SourceKey;
import io.wssguard.time.Ticker;
import java.net.InetAddress;
import java.time.Duration;

/**
 * How often the console's sign-in may be tried: {@link #PER_SOURCE_BURST} attempts per source
 * address (IPv6 per /64), then one every {@link #PER_SOURCE_EVERY}; and, since every local user
 * shares the loopback addresses (and may pick any of 127.0.0.0/8), all sources together at most
 * {@link #ALL_BURST} at once and one a second after that. The admin token has 256 bits, so this is
 * not what keeps it secret; it keeps a guessing script from being cheap and from filling the log.
 * Every attempt counts, right or wrong: the answer to an attempt over the limit never says whether
 * its token was right. The buckets are the per-source ones the proxy's policies use.
 */
public final class SignInLimit {
  static final int PER_SOURCE_BURST = 5;
  static final Duration PER_SOURCE_EVERY = Duration.ofSeconds(12);
  static final int ALL_BURST = 30;

  private static final Rate PER_SOURCE =
      Rate.of(1e9 / PER_SOURCE_EVERY.toNanos(), PER_SOURCE_BURST);
  private static final Rate ALL = Rate.of(1, ALL_BURST);

  private final Ticker ticker;
  private final Cache<SourceKey, SharedTokenBucket> sources;
  private final SharedTokenBucket all;

  public SignInLimit(Ticker ticker) {
    this.ticker = ticker;
    this.sources =
        Caffeine.newBuilder()
            .maximumSize(10_000)
            .expireAfterAccess(Duration.ofMinutes(10))
            .ticker(ticker::nanos)
            .build();
    this.all = new SharedTokenBucket(ticker.nanos());
  }

  /**
   * Takes one attempt for {@code source}: 0 when it may go ahead, else the seconds to wait before
   * the next (for {@code Retry-After}).
   */
  public long attempt(InetAddress source) {
    long now = ticker.nanos();
    SharedTokenBucket mine = sources.get(SourceKey.of(source, 64), k -> new SharedTokenBucket(now));
    if (!mine.tryTake(PER_SOURCE, 1, now)) {
      return seconds(mine.waitNanos(PER_SOURCE, 1, now));
    }
    if (!all.tryTake(ALL, 1, now)) {
      return seconds(all.waitNanos(ALL, 1, now));
    }
    return 0;
  }

  private static long seconds(long nanos) {
    return Math.max(1, (nanos + 999_999_999L) / 1_000_000_000L);
  }
}
