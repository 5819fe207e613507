package io.wssguard.server;

/** The proxy could not start; the message says what and why, for a person to fix. */
public final class StartupException extends Exception {
  public StartupException(String message, Throwable cause) {
    super(message, cause);
  }
}
