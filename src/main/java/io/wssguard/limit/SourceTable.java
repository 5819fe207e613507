package io.wssguard.limit;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.wssguard.time.Ticker;
import java.net.InetAddress;
import java.time.Duration;

/**
 * Per-source state for millions of addresses in bounded memory: a Caffeine cache with a size bound
 * and expiry after a quiet spell. An entry evicted while its source still has connections open is
 * recreated on its next handshake with a fresh count, so the bound should stay well above the
 * number of sources with open connections (the default one million is ~150 MB at worst).
 */
public final class SourceTable {
  private final Cache<SourceKey, SourceState> states;

  /** Where sources under a {@code scope: fleet} budget are shared; null without a fleet. */
  private volatile FleetLedger fleet;

  /** {@code ticker} also times the idle expiry, so a test or a replay controls it too. */
  public SourceTable(long maxSources, Duration idleExpiry, Ticker ticker) {
    this.states =
        Caffeine.newBuilder()
            .maximumSize(maxSources)
            .expireAfterAccess(idleExpiry)
            .ticker(ticker::nanos)
            .build();
  }

  public static SourceTable withDefaults(Ticker ticker) {
    return new SourceTable(1_000_000, Duration.ofMinutes(30), ticker);
  }

  public SourceState get(SourceKey key, long now) {
    return states.get(key, k -> new SourceState(k, now));
  }

  /**
   * The state of {@code address}'s source (its IPv6 block of {@code ipv6Prefix} bits), or null when
   * none is held; looking does not count as activity, so it never keeps a source from expiring.
   */
  public SourceState peek(InetAddress address, int ipv6Prefix) {
    return states.policy().getIfPresentQuietly(SourceKey.of(address, ipv6Prefix));
  }

  /**
   * Marks the source as recently active (a connection ended), so it is not expired under a long
   * connection.
   */
  public void touch(SourceKey key) {
    // Reading an entry refreshes its access time; the value itself is not needed.
    var unused = states.getIfPresent(key);
  }

  /** Shares the sources of {@code scope: fleet} budgets through {@code ledger}. */
  public void fleet(FleetLedger ledger) {
    this.fleet = ledger;
  }

  FleetLedger fleet() {
    return fleet;
  }

  public long estimatedSize() {
    return states.estimatedSize();
  }
}
