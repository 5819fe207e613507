package io.wssguard.ban;

import io.wssguard.net.Cidr;
import io.wssguard.net.PrefixIndex;
import java.net.InetAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Bans held in memory only (lost on restart): for tests and for runs without a ban journal.
 *
 * <p>Writers ({@code synchronized}, rare) change a plain map and publish a {@link PrefixIndex} of
 * it through a volatile field; {@link #isBanned} reads that index without a lock. The number of
 * bans is bounded by a {@link BanCap}.
 */
public final class MemoryBans implements Bans {
  private record Held(Instant until, String reason) {
    boolean activeAt(Instant now) {
      return until.isAfter(now);
    }
  }

  private final Map<Cidr, Held> bans = new HashMap<>();
  private final AtomicLong expired = new AtomicLong();
  private final BanCap cap;
  private volatile PrefixIndex<Held> index = PrefixIndex.empty();

  public MemoryBans() {
    this(new BanCap(BanCap.DEFAULT_MAX));
  }

  public MemoryBans(BanCap cap) {
    this.cap = cap;
  }

  @Override
  public boolean isBanned(InetAddress address) {
    PrefixIndex<Held> current = index;
    return current.size() != 0 && current.find(address, Instant.now(), Held::activeAt) != null;
  }

  @Override
  public synchronized void ban(
      InetAddress address, int prefix, Duration duration, String reason, List<String> history) {
    Cidr requested = Cidr.of(address, prefix);
    if (bans.size() >= cap.max()) {
      active(); // ended bans make room before anything is widened
    }
    Cidr target = cap.target(requested, bans.keySet());
    Instant until = Instant.now().plus(duration);
    List<Cidr> absorbed =
        target.equals(requested) ? List.of() : BanCap.absorbed(target, bans.keySet());
    for (Cidr inside : absorbed) {
      Held h = bans.remove(inside);
      if (h.until().isAfter(until)) {
        until = h.until();
      }
    }
    Held old = bans.get(target);
    if (old != null && old.until().isAfter(until)) {
      until = old.until();
    }
    bans.put(target, new Held(until, reason));
    index = PrefixIndex.of(bans);
  }

  @Override
  public synchronized List<Entry> active() {
    Instant now = Instant.now();
    List<Entry> result = new ArrayList<>();
    int before = bans.size();
    bans.entrySet()
        .removeIf(
            e -> {
              if (e.getValue().activeAt(now)) {
                result.add(new Entry(e.getKey(), e.getValue().until(), e.getValue().reason()));
                return false;
              }
              return true;
            });
    if (bans.size() != before) {
      expired.addAndGet(before - bans.size());
      index = PrefixIndex.of(bans);
    }
    return result;
  }

  @Override
  public synchronized boolean unban(Cidr target) {
    Held h = bans.remove(target);
    if (h == null) {
      return false;
    }
    index = PrefixIndex.of(bans);
    return h.activeAt(Instant.now());
  }

  @Override
  public long expiredCount() {
    active();
    return expired.get();
  }
}
