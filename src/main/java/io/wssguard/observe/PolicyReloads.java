package io.wssguard.observe;

/**
 * What the admin API and the metrics need of the reloader ({@code
 * io.wssguard.server.ConfigReloader}, or {@code io.wssguard.server.FixedConfiguration} when the
 * embedded defaults run).
 */
public interface PolicyReloads {
  /**
   * Reloads now, one at a time, and says what happened once it is over: applied whole, or refused
   * with every error.
   */
  ReloadOutcome reloadNow(String trigger);

  /** Reloads now; returns whether the new configuration was applied. */
  default boolean reload(String trigger) {
    return reloadNow(trigger).applied();
  }

  /** The errors of the last rejected reload, or null after a good one. */
  String lastError();

  long appliedCount();

  long failedCount();

  /** Unix time in milliseconds of the last applied reload, or of the start before any. */
  long lastAppliedMillis();
}
