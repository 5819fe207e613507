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
import java.util.logging.Logger;

/** Bans held in memory only (lost on restart): for tests and for runs without a ban journal. */
public final class MemoryBans implements Bans {
  private static final Logger LOG = Logger.getLogger(MemoryBans.class.getName());

  private record Held(long untilNanos, Instant until, String reason, List<String> history) {}

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

  private volatile NeverBan neverBan = NeverBan.NONE;

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
  public BanOutcome ban(
      InetAddress address, int prefix, Duration duration, String reason, List<String> history) {
    Cidr target = Cidr.of(address, prefix);
    BanList.check(target, duration);
    String refusal = neverBan.refusal(target);
    if (refusal != null) {
      LOG.warning(refusal + " (" + reason + ")");
      return BanOutcome.refused(refusal);
    }
    long now = ticker.nanos();
    Held fresh =
        new Held(now + duration.toNanos(), ticker.instant().plus(duration), reason, history);
    Held[] before = new Held[1];
    Held held =
        bans.merge(
            target,
            fresh,
            (old, neu) -> {
              if (now - old.untilNanos() >= 0) {
                return neu;
              }
              before[0] = old;
              List<String> all = new ArrayList<>(old.history());
              all.addAll(neu.history());
              return old.untilNanos() - neu.untilNanos() > 0
                  ? new Held(old.untilNanos(), old.until(), neu.reason(), all)
                  : new Held(neu.untilNanos(), neu.until(), neu.reason(), all);
            });
    return BanOutcome.of(
        new Ban(target, held.until(), held.reason(), held.history()), before[0] != null);
  }

  @Override
  public void neverBan(List<Cidr> blocks) {
    NeverBan never = NeverBan.of(blocks);
    neverBan = never;
    for (Cidr banned : List.copyOf(bans.keySet())) {
      Cidr by = never.protecting(banned);
      if (by != null && bans.remove(banned) != null) {
        LOG.warning(
            "ban of " + banned.shortText() + " lifted: it overlaps never-ban " + by.shortText());
      }
    }
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
