package io.wssguard.server;

import java.util.List;

/**
 * A configuration could not be turned into a runtime: every problem found, one line each, file
 * first ({@code file:line:col: ...} or {@code file: ...}).
 */
public final class SnapshotException extends Exception {
  private static final long serialVersionUID = 1L;

  private final List<String> errors;

  public SnapshotException(List<String> errors) {
    super(String.join("\n", errors), null, false, false);
    this.errors = List.copyOf(errors);
  }

  public List<String> errors() {
    return errors;
  }
}
