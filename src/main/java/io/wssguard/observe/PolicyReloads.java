package io.wssguard.observe;

/**
 * What the admin API and the metrics need of the policy reloader ({@code
 * io.wssguard.server.PolicyReloader}).
 */
public interface PolicyReloads {
  /** Reloads now; returns whether the new set was applied. */
  boolean reload(String trigger);

  /** The errors of the last rejected reload, or null after a good one. */
  String lastError();

  long appliedCount();

  long failedCount();

  /** Unix time in milliseconds of the last applied reload, or of the start before any. */
  long lastAppliedMillis();
}
