package io.wssguard.ban;

import io.wssguard.net.Cidr;
import io.wssguard.time.Ticker;
import java.net.InetAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/** Bans held in memory only (lost on restart): for tests and for runs without a ban journal. */
public final class MemoryBans implements Bans {
  private record Held(long untilNanos, Instant until, String reason) {}

  private final Map<Cidr, Held> bans = new ConcurrentHashMap<>();
  private final AtomicLong expired = new AtomicLong();
  private final Ticker ticker;

  public MemoryBans() {
    this(Ticker.system());
  }

  /** Bans timed by {@code ticker}: the same clock as the enforcer's, so tests can end a ban. */
  public MemoryBans(Ticker ticker) {
    this.ticker = ticker;
  }

  @Override
  public boolean isBanned(InetAddress address) {
    if (bans.isEmpty()) {
      return false;
    }
    long now = ticker.nanos();
    for (Map.Entry<Cidr, Held> e : bans.entrySet()) {
      if (now - e.getValue().untilNanos() < 0 && e.getKey().contains(address)) {
        return true;
      }
    }
    return false;
  }

  @Override
  public void ban(
      InetAddress address, int prefix, Duration duration, String reason, List<String> history) {
    bans.put(
        Cidr.of(address, prefix),
        new Held(ticker.nanos() + duration.toNanos(), ticker.instant().plus(duration), reason));
  }

  // A ConcurrentHashMap: iterating while removing is allowed, and the two-argument remove only
  // drops the entry that was seen expired.
  @SuppressWarnings("ModifyCollectionInEnhancedForLoop")
  @Override
  public List<Entry> active() {
    long now = ticker.nanos();
    List<Entry> result = new ArrayList<>();
    for (Map.Entry<Cidr, Held> e : bans.entrySet()) {
      Held h = e.getValue();
      if (now - h.untilNanos() < 0) {
        result.add(new Entry(e.getKey(), h.until(), h.reason()));
      } else if (bans.remove(e.getKey(), h)) {
        expired.incrementAndGet();
      }
    }
    return result;
  }

  @Override
  public boolean unban(Cidr target) {
    Held h = bans.remove(target);
    return h != null && ticker.nanos() - h.untilNanos() < 0;
  }

  @Override
  public long expiredCount() {
    active();
    return expired.get();
  }
}
