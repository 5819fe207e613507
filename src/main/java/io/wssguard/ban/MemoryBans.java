package io.wssguard.ban;

import io.wssguard.net.Cidr;
import io.wssguard.net.PrefixIndex;
import io.wssguard.time.Ticker;
import java.net.InetAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Logger;

/**
 * Bans held in memory only (lost on restart): for tests and for runs without a ban journal.
 *
 * <p>Writers ({@code synchronized}, rare) change a plain map and publish a {@link PrefixIndex} of
 * it through a volatile field; {@link #isBanned} reads that index without a lock. The number of
 * bans is bounded by a {@link BanCap}; never-ban blocks are refused as in {@link BanList}.
 */
public final class MemoryBans implements Bans {
  private static final Logger LOG = Logger.getLogger(MemoryBans.class.getName());

  private final Map<Cidr, Ban> bans = new HashMap<>();
  private final AtomicLong expired = new AtomicLong();
  private final Ticker ticker;
  private BanCap cap; // guarded by this
  private volatile NeverBan neverBan = NeverBan.NONE;
  private volatile PrefixIndex<Ban> index = PrefixIndex.empty();

  public MemoryBans() {
    this(Ticker.system());
  }

  /** Bans timed by {@code ticker}: the same clock as the enforcer's, so tests can end a ban. */
  public MemoryBans(Ticker ticker) {
    this(ticker, new BanCap(BanCap.DEFAULT_MAX));
  }

  public MemoryBans(BanCap cap) {
    this(Ticker.system(), cap);
  }

  public MemoryBans(Ticker ticker, BanCap cap) {
    this.ticker = ticker;
    this.cap = cap;
  }

  @Override
  public synchronized void cap(BanCap cap) {
    this.cap = cap;
  }

  @Override
  public boolean isBanned(InetAddress address) {
    PrefixIndex<Ban> current = index;
    return current.size() != 0 && current.find(address, ticker.instant(), Ban::activeAt) != null;
  }

  @Override
  public synchronized BanOutcome ban(
      InetAddress address,
      int prefix,
      Duration duration,
      String reason,
      List<String> history,
      String by) {
    Cidr requested = Cidr.of(address, prefix);
    BanList.check(requested, duration);
    String refusal = neverBan.refusal(requested);
    if (refusal != null) {
      LOG.warning(refusal + " (" + reason + ")");
      return BanOutcome.refused(refusal);
    }
    if (bans.size() >= cap.max()) {
      active(); // ended bans make room before anything is widened
    }
    Cidr target = cap.target(requested, bans.keySet());
    if (!target.equals(requested) && neverBan.refusal(target) != null) {
      target = requested; // widening must not reach a never-ban block: over the cap instead
    }
    Instant now = ticker.instant();
    Instant until = now.plus(duration);
    List<String> strikes = new ArrayList<>();
    List<Cidr> absorbed =
        target.equals(requested) ? List.of() : BanCap.absorbed(target, bans.keySet());
    for (Cidr inside : absorbed) {
      Ban h = bans.remove(inside);
      if (h.activeAt(now)) {
        until = h.until().isAfter(until) ? h.until() : until;
        strikes.addAll(h.history());
      }
    }
    Ban old = bans.get(target);
    boolean extended = old != null && old.activeAt(now);
    if (extended) {
      until = old.until().isAfter(until) ? old.until() : until;
      strikes.addAll(old.history());
    }
    strikes.addAll(history);
    Ban ban = new Ban(target, until, reason, strikes, extended ? old.started() : now, by);
    bans.put(target, ban);
    index = PrefixIndex.of(bans);
    return BanOutcome.of(ban, extended);
  }

  @Override
  public synchronized void neverBan(List<Cidr> blocks) {
    NeverBan never = NeverBan.of(blocks);
    neverBan = never;
    boolean lifted = false;
    for (Cidr banned : List.copyOf(bans.keySet())) {
      Cidr by = never.protecting(banned);
      if (by != null) {
        bans.remove(banned);
        lifted = true;
        LOG.warning(
            "ban of " + banned.shortText() + " lifted: it overlaps never-ban " + by.shortText());
      }
    }
    if (lifted) {
      index = PrefixIndex.of(bans);
    }
  }

  @Override
  public synchronized List<Ban> active() {
    Instant now = ticker.instant();
    List<Ban> result = new ArrayList<>();
    int before = bans.size();
    bans.entrySet()
        .removeIf(
            e -> {
              if (e.getValue().activeAt(now)) {
                result.add(e.getValue());
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
    Ban h = bans.remove(target);
    if (h == null) {
      return false;
    }
    index = PrefixIndex.of(bans);
    return h.activeAt(ticker.instant());
  }

  @Override
  public long expiredCount() {
    active();
    return expired.get();
  }
}
