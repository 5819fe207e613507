package io.wssguard.ban;

import io.wssguard.net.Cidr;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The running proxy's bans: {@link Bans} over a journalled {@link BanList}.
 *
 * <p>{@link #ban} is called by the enforcer on an IO thread, where {@link BanList#ban} must not
 * run: it forces the journal to disk, and its listeners (the firewall update) start processes. So
 * {@code ban} only puts the target in a small {@code pending} map, which {@link #isBanned} consults
 * at once, and hands the {@code BanList} call to one background thread; the pending entry goes when
 * that call has published the ban. {@code isBanned} stays lock-free: the {@code BanList} snapshot,
 * then (almost always empty) the pending map.
 *
 * <p>Everything slow happens on that one thread, in order: journal writes, {@code BanList}
 * listeners (they hear of each change on it), tasks given to {@link #schedule}, and {@link
 * BanList#expire} once a second. One thread means no locking between them, and a slow disk or
 * firewall tool delays only bookkeeping, never a handshake.
 */
public final class JournalBans implements Bans, AutoCloseable {
  private final AtomicLong expired = new AtomicLong();
  private static final Logger LOG = Logger.getLogger(JournalBans.class.getName());
  private static final long CLOSE_WAIT_SECONDS = 10;

  private final BanList list;
  private final InstantSource clock;
  private volatile NeverBan neverBan;
  private final ScheduledThreadPoolExecutor background;
  private final Map<Cidr, Pending> pending = new ConcurrentHashMap<>();
  private final List<Runnable> beforeClose = new CopyOnWriteArrayList<>();

  /** A ban on its way to the list; compared by identity, so only its own task removes it. */
  private static final class Pending {
    final Instant until;
    final List<String> history;
    final Instant started;

    Pending(Instant until, List<String> history, Instant started) {
      this.until = until;
      this.history = history;
      this.started = started;
    }
  }

  private JournalBans(BanList list, List<Cidr> neverBan, InstantSource clock) {
    this.list = list;
    this.clock = clock;
    this.neverBan = NeverBan.of(neverBan);
    this.background =
        new ScheduledThreadPoolExecutor(
            1,
            r -> {
              Thread t = new Thread(r, "wssguard-bans");
              t.setDaemon(true);
              return t;
            });
    // On close, due work (journal writes) runs; timers (expiry tick, delayed updates) are dropped.
    background.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
    // expire() catches its own failures, so the tick is never cancelled by an exception.
    var unused = background.scheduleWithFixedDelay(this::expire, 1, 1, TimeUnit.SECONDS);
  }

  /**
   * Opens the journal (replaying it) and starts the background thread.
   *
   * @param neverBan blocks never banned: the allow lists and trusted proxies of the policies
   * @throws IOException as {@link BanList#open}
   */
  public static JournalBans open(Path journal, List<Cidr> neverBan) throws IOException {
    return open(journal, neverBan, InstantSource.system());
  }

  /**
   * As {@link #open(Path, List)}, with bans timed by {@code clock} (the enforcer's ticker in a test
   * or a replay). The expiry sweep still runs once a second of real time; {@link #isBanned} reads
   * the clock itself.
   */
  public static JournalBans open(Path journal, List<Cidr> neverBan, InstantSource clock)
      throws IOException {
    BanList list = BanList.open(journal, neverBan, clock, BanList.DEFAULT_COMPACT_AFTER);
    LOG.info(
        "ban journal "
            + journal
            + ": "
            + list.active(clock.instant()).size()
            + " active ban(s) replayed");
    return new JournalBans(list, neverBan, clock);
  }

  @Override
  public boolean isBanned(InetAddress address) {
    Instant now = clock.instant();
    if (list.isBanned(address, now)) {
      return true;
    }
    if (pending.isEmpty()) {
      return false;
    }
    for (Map.Entry<Cidr, Pending> e : pending.entrySet()) {
      if (e.getValue().until.isAfter(now) && e.getKey().contains(address)) {
        return true;
      }
    }
    return false;
  }

  /**
   * Effective at once for {@link #isBanned}; journalled and announced to listeners on the
   * background thread. The outcome is decided here, from the never-ban blocks and the bans in force
   * or on their way, so the caller knows at once whether to report a ban.
   */
  @Override
  public BanOutcome ban(
      InetAddress address,
      int prefix,
      Duration duration,
      String reason,
      List<String> history,
      String by) {
    Cidr target = Cidr.of(address, prefix);
    BanList.check(target, duration);
    // BanList refuses these too; they must not be enforced while on their way there either.
    String refusal = neverBan.refusal(target);
    if (refusal != null) {
      LOG.warning(refusal + " (" + reason + ")");
      return BanOutcome.refused(refusal);
    }
    Instant now = clock.instant();
    Instant until = now.plus(duration);
    List<String> strikes = new ArrayList<>();
    Ban before = list.get(target, now).orElse(null);
    Pending queued = pending.get(target);
    boolean extended = before != null || (queued != null && queued.until.isAfter(now));
    if (before != null) {
      strikes.addAll(before.history());
      until = before.until().isAfter(until) ? before.until() : until;
    }
    if (queued != null && queued.until.isAfter(now)) {
      strikes.addAll(queued.history);
      until = queued.until.isAfter(until) ? queued.until : until;
    }
    strikes.addAll(history);
    Instant started =
        before != null ? before.started() : queued != null && extended ? queued.started : now;
    Pending mark = new Pending(until, List.copyOf(history), started);
    pending.put(target, mark);
    try {
      background.execute(
          () -> {
            try {
              list.ban(target, duration, reason, history, by);
            } catch (RuntimeException e) {
              // The journal write failed (BanList has logged it; the ban holds in memory), or the
              // list was closed.
              LOG.log(Level.WARNING, "ban of " + target.shortText() + " not fully recorded", e);
            } finally {
              pending.remove(target, mark);
            }
          });
    } catch (RejectedExecutionException e) {
      pending.remove(target, mark);
      String dropped = "ban of " + target.shortText() + " dropped: the ban list is closed";
      LOG.warning(dropped + " (" + reason + ")");
      return BanOutcome.refused(dropped);
    }
    int keep = Math.max(0, strikes.size() - BanList.MAX_HISTORY);
    return BanOutcome.of(
        new Ban(target, until, reason, strikes.subList(keep, strikes.size()), started, by),
        extended);
  }

  /**
   * Refuses bans of these blocks at once; the bans in force that overlap them are lifted (and
   * journalled) on the background thread.
   */
  @Override
  public void neverBan(List<Cidr> blocks) {
    NeverBan never = NeverBan.of(blocks);
    neverBan = never;
    pending.keySet().removeIf(target -> never.protecting(target) != null);
    try {
      background.execute(() -> list.neverBan(blocks));
    } catch (RejectedExecutionException e) {
      // closed: nothing is enforced any more
    }
  }

  /** Takes effect for the next ban the background thread hands to the list. */
  @Override
  public void cap(BanCap cap) {
    list.cap(cap);
  }

  /** The bans in force at {@code now}, as {@link BanList#active}. */
  public List<Ban> active(Instant now) {
    return list.active(now);
  }

  @Override
  public List<Ban> active() {
    return list.active(clock.instant());
  }

  /**
   * Lifted at once and journalled before it returns (the admin API calls this, never an IO thread).
   */
  @Override
  public boolean unban(Cidr target) {
    return list.unban(target);
  }

  @Override
  public long expiredCount() {
    return expired.get();
  }

  /**
   * 1 when the journal was found damaged at open (its valid lines kept, the file moved aside, see
   * {@link BanList#journalDamage}), else 0.
   */
  public long journalDamaged() {
    return list.damagedCopy().isPresent() ? 1 : 0;
  }

  /**
   * Calls {@code activeBansChanged} on the background thread after every change, as {@link
   * BanList#addListener}.
   */
  public void addListener(Consumer<List<Ban>> activeBansChanged) {
    list.addListener(activeBansChanged);
  }

  /**
   * Runs {@code task} on the background thread after {@code delay}; false when closed (the task
   * will not run).
   */
  public boolean schedule(Runnable task, Duration delay) {
    try {
      // The task logs its own failure; nothing waits for it.
      var unused =
          background.schedule(
              () -> {
                try {
                  task.run();
                } catch (RuntimeException e) {
                  LOG.log(Level.WARNING, "background ban task failed", e);
                }
              },
              delay.toNanos(),
              TimeUnit.NANOSECONDS);
      return true;
    } catch (RejectedExecutionException e) {
      return false;
    }
  }

  /**
   * Runs {@code task} on the background thread during {@link #close}, after the last ban has been
   * written.
   */
  public void beforeClose(Runnable task) {
    beforeClose.add(task);
  }

  /** Waits until everything handed to the background thread so far has run (for tests). */
  void awaitIdle() throws Exception {
    background.submit(() -> {}).get(CLOSE_WAIT_SECONDS, TimeUnit.SECONDS);
  }

  private void expire() {
    try {
      expired.addAndGet(list.expire(clock.instant()));
    } catch (RuntimeException e) {
      // A periodic task that throws is never run again; keep expiring.
      LOG.log(Level.WARNING, "ban expiry failed", e);
    }
  }

  /**
   * Writes the bans still queued, runs the {@link #beforeClose} tasks, stops the thread, closes the
   * journal.
   */
  @Override
  public void close() throws IOException {
    for (Runnable task : beforeClose) {
      schedule(task, Duration.ZERO);
    }
    background.shutdown();
    try {
      if (!background.awaitTermination(CLOSE_WAIT_SECONDS, TimeUnit.SECONDS)) {
        LOG.warning(
            "ban thread still busy after " + CLOSE_WAIT_SECONDS + " s; closing the journal anyway");
        background.shutdownNow();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      background.shutdownNow();
    }
    list.close();
  }
}
