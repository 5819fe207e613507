package io.wssguard.ban;

import io.wssguard.net.Cidr;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
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
  private final java.util.concurrent.atomic.AtomicLong expired =
      new java.util.concurrent.atomic.AtomicLong();
  private static final Logger LOG = Logger.getLogger(JournalBans.class.getName());
  private static final long CLOSE_WAIT_SECONDS = 10;

  private final BanList list;
  private final InstantSource clock;
  private final List<Cidr> neverBan;
  private final ScheduledThreadPoolExecutor background;
  private final Map<Cidr, Pending> pending = new ConcurrentHashMap<>();
  private final List<Runnable> beforeClose = new CopyOnWriteArrayList<>();

  /** A ban on its way to the list; compared by identity, so only its own task removes it. */
  private static final class Pending {
    final Instant until;

    Pending(Instant until) {
      this.until = until;
    }
  }

  private JournalBans(BanList list, List<Cidr> neverBan, InstantSource clock) {
    this.list = list;
    this.clock = clock;
    this.neverBan = List.copyOf(neverBan);
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
   * background thread.
   */
  @Override
  public void ban(
      InetAddress address, int prefix, Duration duration, String reason, List<String> history) {
    Cidr target = Cidr.of(address, prefix);
    // BanList refuses these too (and says so); they must not be enforced while on their way there
    // either.
    boolean protectedBlock = neverBan.stream().anyMatch(never -> never.overlaps(target));
    Pending mark = new Pending(clock.instant().plus(duration));
    if (!protectedBlock) {
      pending.put(target, mark);
    }
    try {
      background.execute(
          () -> {
            try {
              list.ban(target, duration, reason, history);
            } catch (RuntimeException e) {
              // The journal write failed (BanList has logged it; the ban holds in memory), or the
              // arguments were bad.
              LOG.log(Level.WARNING, "ban of " + target.shortText() + " not fully recorded", e);
            } finally {
              pending.remove(target, mark);
            }
          });
    } catch (RejectedExecutionException e) {
      pending.remove(target, mark);
      LOG.warning(
          "ban of " + target.shortText() + " (" + reason + ") dropped: the ban list is closed");
    }
  }

  /** The bans in force at {@code now}, as {@link BanList#active}. */
  public List<Ban> active(Instant now) {
    return list.active(now);
  }

  @Override
  public List<Entry> active() {
    return list.active(clock.instant()).stream()
        .map(b -> new Entry(b.target(), b.until(), b.reason()))
        .toList();
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
