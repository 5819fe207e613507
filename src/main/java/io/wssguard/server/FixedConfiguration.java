package io.wssguard.server;

import io.wssguard.observe.PolicyReloads;
import io.wssguard.observe.ReloadOutcome;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The reloads of a proxy run on the embedded defaults: there is no file to read again, so every
 * reload (SIGHUP, {@code POST /reload}) is refused with that reason rather than reported as
 * applied.
 */
public final class FixedConfiguration implements PolicyReloads {
  static final String REASON =
      "the embedded defaults are running: there is no configuration file to reload (start with"
          + " --config FILE)";

  private final long startedMillis = System.currentTimeMillis();
  private final AtomicLong refused = new AtomicLong();

  @Override
  public ReloadOutcome reloadNow(String trigger) {
    refused.incrementAndGet();
    return new ReloadOutcome(false, List.of(REASON), Instant.now());
  }

  @Override
  public String lastError() {
    return refused.get() == 0 ? null : REASON;
  }

  @Override
  public long appliedCount() {
    return 0;
  }

  @Override
  public long failedCount() {
    return refused.get();
  }

  @Override
  public long lastAppliedMillis() {
    return startedMillis;
  }
}
