package io.wssguard.ban;

import io.wssguard.net.Cidr;
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

  @Override
  public boolean isBanned(InetAddress address) {
    if (bans.isEmpty()) {
      return false;
    }
    long now = System.nanoTime();
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
        new Held(System.nanoTime() + duration.toNanos(), Instant.now().plus(duration), reason));
  }

  // A ConcurrentHashMap: iterating while removing is allowed, and the two-argument remove only
  // drops the entry that was seen expired.
  @SuppressWarnings("ModifyCollectionInEnhancedForLoop")
  @Override
  public List<Entry> active() {
    long now = System.nanoTime();
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
    return h != null && System.nanoTime() - h.untilNanos() < 0;
  }

  @Override
  public long expiredCount() {
    active();
    return expired.get();
  }
}
