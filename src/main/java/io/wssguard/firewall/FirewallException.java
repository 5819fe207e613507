package io.wssguard.firewall;

/** A firewall change did not happen: a tool is missing, was refused, or rejected its input. */
public final class FirewallException extends Exception {
  private static final long serialVersionUID = 1L;

  public FirewallException(String message) {
    super(message);
  }
}
