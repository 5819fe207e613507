package io.wssguard.server;

/**
 * The proxy could not start; the message says what and why, for a person to fix. {@link
 * #fileProblem()} tells a bad file (configuration, policy, certificate, key: exit 2, nothing will
 * change by retrying) from a runtime failure (a port in use: exit 1).
 */
public final class StartupException extends Exception {
  private static final long serialVersionUID = 1L;

  private final boolean fileProblem;

  public StartupException(String message, Throwable cause) {
    this(message, cause, false);
  }

  public StartupException(String message, Throwable cause, boolean fileProblem) {
    super(message, cause);
    this.fileProblem = fileProblem;
  }

  /** Whether a file named by the configuration is at fault (exit 2), not the running system. */
  public boolean fileProblem() {
    return fileProblem;
  }
}
