package io.wssguard.server;

import io.wssguard.config.ConfigException;
import io.wssguard.config.ConfigParser;
import io.wssguard.config.ProxyConfig;
import io.wssguard.event.SecurityEvents;
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
 * Reloads the whole configuration file and everything it names (SIGHUP, {@code POST /reload},
 * {@code wssguard reload}, and policy file changes when {@code policies.watch} is on): the file is
 * parsed, the policies loaded, and a new {@link RuntimeSnapshot} built and checked off the IO
 * threads; {@link ProxyServer#reload} then swaps it in whole, or nothing changes and every error is
 * reported. Every applied reload is logged with the SHA-256 of each policy file (the audit trail).
 */
public final class ConfigReloader implements PolicyReloads, AutoCloseable {
  private static final Logger AUDIT = Logger.getLogger("wssguard.reload");

  private final Path file;
  private final ProxyServer server;
  private final AtomicLong applied = new AtomicLong();
  private final AtomicLong failed = new AtomicLong();
  private volatile ReloadOutcome last;
  private volatile long lastAppliedMillis = System.currentTimeMillis();
  private volatile SecurityEvents events = SecurityEvents.NONE;
  private DirectoryWatch watch;

  /**
   * @param file the configuration file the server was started from
   */
  public ConfigReloader(Path file, ProxyServer server) {
    this.file = file;
    this.server = server;
  }

  /** Where reloads are reported as security events (the JSON log). */
  public void events(SecurityEvents events) {
    this.events = events;
  }

  @Override
  public synchronized ReloadOutcome reloadNow(String trigger) {
    ProxyConfig config;
    PolicySet policies;
    try {
      config = ConfigParser.parse(file);
      policies = PolicyParser.forConfig(config);
    } catch (ConfigException e) {
      return refuse(trigger, e.getMessage().lines().toList());
    }
    try {
      server.reload(config, policies);
    } catch (SnapshotException e) {
      return refuse(trigger, e.errors());
    }
    applied.incrementAndGet();
    lastAppliedMillis = System.currentTimeMillis();
    String files =
        policies.files().stream()
            .map(f -> f.path().getFileName() + " sha256=" + f.sha256())
            .collect(Collectors.joining(", "));
    AUDIT.info(() -> "reload (" + trigger + ") applied: " + file + "; policies: " + files);
    events.policyReload(trigger, true, files);
    ReloadOutcome outcome = new ReloadOutcome(true, List.of(), Instant.now());
    last = outcome;
    return outcome;
  }

  private ReloadOutcome refuse(String trigger, List<String> errors) {
    failed.incrementAndGet();
    String text = String.join("\n", errors);
    AUDIT.warning(
        () -> "reload (" + trigger + ") REFUSED, the running configuration stays:\n" + text);
    events.policyReload(trigger, false, text);
    ReloadOutcome outcome = new ReloadOutcome(false, errors, Instant.now());
    last = outcome;
    return outcome;
  }

  /**
   * With {@code policies.watch: true}, a change in the policies directory reloads the whole
   * configuration as a SIGHUP would.
   */
  public void watchPolicies() throws IOException {
    ProxyConfig config = server.config();
    if (config.watchPolicies() && config.policiesDir() != null) {
      watch = DirectoryWatch.start(config.policiesDir(), () -> reload("policy file change"));
    }
  }

  @Override
  public void close() throws IOException {
    if (watch != null) {
      watch.close();
    }
  }

  /** The last reload's outcome, or null before any. */
  public ReloadOutcome lastOutcome() {
    return last;
  }

  @Override
  public String lastError() {
    ReloadOutcome o = last;
    return o == null || o.applied() ? null : String.join("\n", o.errors());
  }

  @Override
  public long lastAppliedMillis() {
    return lastAppliedMillis;
  }

  @Override
  public long appliedCount() {
    return applied.get();
  }

  @Override
  public long failedCount() {
    return failed.get();
  }
}
