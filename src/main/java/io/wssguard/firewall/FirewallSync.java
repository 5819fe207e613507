package io.wssguard.firewall;

import io.wssguard.ban.Ban;
import io.wssguard.ban.JournalBans;
import io.wssguard.fs.AtomicFile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Logger;

/**
 * Keeps the kernel's copy of the ban list current while the proxy runs: at start, and within about
 * a second of every change, the active bans are rendered and applied (or, with a rules file,
 * written there for a privileged helper).
 *
 * <p>Everything runs on the ban list's background thread ({@link JournalBans}), so at most one
 * update is ever in flight. Bursts are coalesced: a change schedules an update {@link #BATCH} later
 * unless one is already scheduled, and the update clears that flag before it reads the list, so
 * changes that arrive while it runs schedule exactly one more. Each update renders the whole list,
 * so a skipped intermediate state is never missed.
 *
 * <p>A failed update (tool missing, no permission, tool refused the input) is logged as one error
 * that names the cause, at most once a {@link #RETRY} period, and retried after that period even if
 * nothing changes. The proxy goes on serving and refusing banned sources itself; the ban stays in
 * the list.
 */
public final class FirewallSync {
  private static final Logger LOG = Logger.getLogger(FirewallSync.class.getName());

  /** How long a change waits for others to join it before the update runs. */
  static final Duration BATCH = Duration.ofMillis(200);

  /** The least time between two logged failures, and the wait before retrying after one. */
  static final Duration RETRY = Duration.ofMinutes(1);

  /** The rules file is read by the root-run firewall unit; it holds only addresses. */
  private static final FileAttribute<?> RULES_MODE =
      PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-r--r--"));

  private final JournalBans bans;
  private final FirewallConfig cfg;
  private final Path rulesFile;
  private final FirewallApplier applier;
  private final AtomicBoolean scheduled = new AtomicBoolean();
  private final AtomicLong updates = new AtomicLong();
  private final AtomicLong failures = new AtomicLong();
  // Written on the background thread only; read by listings.
  private volatile boolean failing;
  // Only touched on the background thread.
  private boolean retryScheduled;
  private long lastErrorLoggedNanos;
  private boolean errorLogged;

  private FirewallSync(
      JournalBans bans, FirewallConfig cfg, Path rulesFile, FirewallApplier applier) {
    this.bans = bans;
    this.cfg = cfg;
    this.rulesFile = rulesFile;
    this.applier = applier;
  }

  /**
   * Starts keeping {@code cfg}'s rules in step with {@code bans}; the first update (the journal's
   * bans, as replayed) runs at once.
   *
   * @param rulesFile where to write the rendered rules instead of applying them, or {@code null} to
   *     apply
   */
  public static FirewallSync start(
      JournalBans bans, FirewallConfig cfg, Path rulesFile, FirewallApplier applier) {
    FirewallSync sync = new FirewallSync(bans, cfg, rulesFile, applier);
    bans.addListener(active -> sync.changed());
    // A ban made just before shutdown still reaches the kernel.
    bans.beforeClose(
        () -> {
          if (sync.scheduled.get()) {
            sync.update();
          }
        });
    sync.scheduled.set(true);
    bans.schedule(sync::update, Duration.ZERO);
    return sync;
  }

  /**
   * The ban list changed: update within {@link #BATCH}, together with whatever else changes
   * meanwhile.
   */
  void changed() {
    if (scheduled.compareAndSet(false, true) && !bans.schedule(this::update, BATCH)) {
      scheduled.set(false);
    }
  }

  /** Updates run, successful or not. */
  public long updates() {
    return updates.get();
  }

  /** Whether the last update failed (the kernel's copy of the bans is behind). */
  public boolean failing() {
    return failing;
  }

  /** Updates that failed. */
  public long failures() {
    return failures.get();
  }

  private void update() {
    scheduled.set(false);
    Instant now = Instant.now();
    List<Ban> active = bans.active(now);
    String what = rulesFile == null ? "apply" : "write";
    try {
      FirewallScript script = FirewallApplier.render(active, cfg, now);
      if (rulesFile == null) {
        applier.run(script);
      } else {
        Files.createDirectories(rulesFile.toAbsolutePath().getParent());
        AtomicFile.write(rulesFile, script.text(), RULES_MODE);
      }
      if (failing) {
        LOG.info(
            "firewall: "
                + backend()
                + " rules "
                + (rulesFile == null ? "applied" : "written to " + rulesFile)
                + " again ("
                + active.size()
                + " ban(s))");
      }
      failing = false;
    } catch (FirewallException | IOException | RuntimeException e) {
      failures.incrementAndGet();
      failing = true;
      String cause = e instanceof IOException ? rulesFile + ": " + e : e.getMessage();
      long nowNanos = System.nanoTime();
      if (!errorLogged || nowNanos - lastErrorLoggedNanos >= RETRY.toNanos()) {
        errorLogged = true;
        lastErrorLoggedNanos = nowNanos;
        LOG.severe(
            "firewall: cannot "
                + what
                + " "
                + backend()
                + " rules for "
                + active.size()
                + " ban(s): "
                + cause
                + ". wssguard keeps serving and refusing banned sources itself; retrying every "
                + RETRY.toSeconds()
                + " s (this error repeats at most once a minute)");
      }
      if (!retryScheduled) {
        retryScheduled =
            bans.schedule(
                () -> {
                  retryScheduled = false;
                  changed();
                },
                RETRY);
      }
    } finally {
      updates.incrementAndGet();
    }
  }

  private String backend() {
    return cfg.backend().name().toLowerCase(Locale.ROOT);
  }
}
