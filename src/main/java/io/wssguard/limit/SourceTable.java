package io.wssguard.limit;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.time.Duration;

/**
 * Per-source state for millions of addresses in bounded memory: a Caffeine cache with a size bound
 * and expiry after a quiet spell. An entry evicted while its source still has connections open is
 * recreated on its next handshake with a fresh count, so the bound should stay well above the
 * number of sources with open connections (the default one million is ~150 MB at worst).
 */
public final class SourceTable {
  private final Cache<SourceKey, SourceState> states;

  public SourceTable(long maxSources, Duration idleExpiry) {
    this.states =
        Caffeine.newBuilder().maximumSize(maxSources).expireAfterAccess(idleExpiry).build();
  }

  public static SourceTable withDefaults() {
    return new SourceTable(1_000_000, Duration.ofMinutes(30));
  }

  public SourceState get(SourceKey key, long now) {
    return states.get(key, k -> new SourceState(k, now));
  }

  /**
   * Marks the source as recently active (a connection ended), so it is not expired under a long
   * connection.
   */
  public void touch(SourceKey key) {
    // Reading an entry refreshes its access time; the value itself is not needed.
    var unused = states.getIfPresent(key);
  }

  public long estimatedSize() {
    return states.estimatedSize();
  }
}
