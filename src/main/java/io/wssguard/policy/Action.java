package io.wssguard.policy;

/** What happens when a limit is exceeded. */
public enum Action {
  /**
   * Refuse the handshake: 429 for rates and connection counts, 403 for access and handshake rules.
   */
  REJECT,
  /** Drop the message (the connection stays open; the backend never sees it). */
  DROP,
  /** Stop reading from the client until the budget has refilled. */
  THROTTLE,
  /** Close the connection: 1008 for rates and counts, 1009 for sizes. */
  CLOSE
}
