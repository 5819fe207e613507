package io.wssguard.server;

import io.wssguard.config.ConfigException;
import io.wssguard.config.ProxyConfig;
import io.wssguard.event.SecurityEvents;
import io.wssguard.limit.PolicyStore;
import io.wssguard.observe.PolicyReloads;
import io.wssguard.observe.ReloadOutcome;
import io.wssguard.policy.PolicyParser;
import io.wssguard.policy.PolicySet;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Logger;
import java.util.stream.Collectors;

/**
 * Hot reload of the policy directory, on SIGHUP and when a file in it changes: the whole set is
 * parsed and checked against the routes first, then swapped in at once. A bad edit leaves the
 * running policies in force and is reported; every applied change is logged with the SHA-256 of
 * each file (the audit trail).
 */
public final class PolicyReloader implements AutoCloseable, PolicyReloads {
  private static final Logger AUDIT = Logger.getLogger("wssguard.policy");

  static final String NOTHING_TO_RELOAD =
      "nothing to reload: the proxy runs the embedded defaults (start it with --config FILE)";

  private final Path dir;
  private final ProxyConfig config;
  private final PolicyStore store;
  private final AtomicLong applied = new AtomicLong();
  private final AtomicLong failed = new AtomicLong();
  private volatile String lastError;
  private volatile long lastAppliedMillis = System.currentTimeMillis();
  private volatile SecurityEvents events = SecurityEvents.NONE;
  private DirectoryWatch watcher;

  /**
   * @param dir the policy directory, or null when the embedded default policy is in force (nothing
   *     to reload)
   */
  public PolicyReloader(Path dir, ProxyConfig config, PolicyStore store) {
    this.dir = dir;
    this.config = config;
    this.store = store;
  }

  /** Where reloads are reported as security events (the JSON log). */
  public void events(SecurityEvents events) {
    this.events = events;
  }

  /** Loads the policies a configuration names: its directory, or the embedded default. */
  public static PolicySet load(ProxyConfig config) throws ConfigException {
    return config.policiesDir() == null
        ? PolicyParser.embeddedDefault()
        : PolicyParser.loadDirectory(config.policiesDir());
  }

  /** Reloads now and says what happened. */
  @Override
  public synchronized ReloadOutcome reloadNow(String trigger) {
    if (dir == null) {
      AUDIT.info(
          () ->
              "policy reload ("
                  + trigger
                  + "): the embedded default policy is in force, nothing to reload");
      return new ReloadOutcome(false, List.of(NOTHING_TO_RELOAD), Instant.now());
    }
    PolicySet set;
    try {
      set = PolicyParser.loadDirectory(dir);
    } catch (ConfigException e) {
      return reject(trigger, e.getMessage().lines().toList());
    }
    List<String> missing = PolicyParser.missingPolicies(config, set);
    if (!missing.isEmpty()) {
      return reject(trigger, missing);
    }
    store.replace(set);
    applied.incrementAndGet();
    lastError = null;
    lastAppliedMillis = System.currentTimeMillis();
    AUDIT.info(
        () ->
            "policy reload ("
                + trigger
                + ") applied: "
                + set.policies().size()
                + " policies from "
                + set.files().stream()
                    .map(f -> f.path().getFileName() + " sha256=" + f.sha256())
                    .collect(Collectors.joining(", ")));
    events.policyReload(
        trigger,
        true,
        set.files().stream()
            .map(f -> f.path().getFileName() + " sha256=" + f.sha256())
            .collect(Collectors.joining(", ")));
    return new ReloadOutcome(true, List.of(), Instant.now());
  }

  private ReloadOutcome reject(String trigger, List<String> lines) {
    failed.incrementAndGet();
    String errors = String.join("\n", lines);
    lastError = errors;
    AUDIT.warning(
        () ->
            "policy reload ("
                + trigger
                + ") REJECTED, previous policies stay in force:\n"
                + errors);
    events.policyReload(trigger, false, errors);
    return new ReloadOutcome(false, lines, Instant.now());
  }

  @Override
  public long appliedCount() {
    return applied.get();
  }

  @Override
  public long failedCount() {
    return failed.get();
  }

  @Override
  public long lastAppliedMillis() {
    return lastAppliedMillis;
  }

  /** The errors of the last rejected reload, or null after a good one. */
  @Override
  public String lastError() {
    return lastError;
  }

  /** Starts watching the directory for changes (a daemon thread). */
  public void watch() throws IOException {
    if (dir != null) {
      watcher = DirectoryWatch.start(dir, () -> reload("file change"));
    }
  }

  @Override
  public void close() throws IOException {
    if (watcher != null) {
      watcher.close();
    }
  }
}
