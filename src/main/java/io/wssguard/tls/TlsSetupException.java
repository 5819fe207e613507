package io.wssguard.tls;

/**
 * TLS could not be set up; the message names what failed (a file and the reason, or the engine and
 * why).
 */
public final class TlsSetupException extends Exception {
  private static final long serialVersionUID = 1L;

  public TlsSetupException(String message) {
    super(message);
  }

  public TlsSetupException(String message, Throwable cause) {
    super(message, cause);
  }
}
