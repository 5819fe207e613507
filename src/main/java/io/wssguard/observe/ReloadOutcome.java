package io.wssguard.observe;

import java.time.Instant;
import java.util.List;

/**
 * What one reload did: applied whole, or refused with every error (one line each, file first) and
 * the previous configuration left in force. The admin API renders it as JSON; {@code wssguard
 * reload} prints it.
 */
public record ReloadOutcome(boolean applied, List<String> errors, Instant at) {
  public ReloadOutcome {
    errors = List.copyOf(errors);
  }
}
