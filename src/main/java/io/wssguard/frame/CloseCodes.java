package io.wssguard.frame;

/**
 * The close codes wssguard sends, checks or counts, by their names in RFC 6455 section 7.4.1 (and
 * the IANA registry for 1012..1015).
 */
public final class CloseCodes {
  /** The purpose of the connection has been fulfilled. */
  public static final int NORMAL = 1000;

  /** An endpoint is going away: server shutdown, idle timeout, the other side gone. */
  public static final int GOING_AWAY = 1001;

  /** The peer broke the protocol. */
  public static final int PROTOCOL_ERROR = 1002;

  /** A data type the endpoint cannot accept; the last code of the first valid range. */
  public static final int UNSUPPORTED_DATA = 1003;

  /** Never on the wire: what a close frame without a payload is taken to mean. */
  public static final int NO_STATUS = 1005;

  /**
   * Never sent (RFC 6455 section 7.4.1): the connection ended without a close frame; the code
   * recordings use for it.
   */
  public static final int ABNORMAL = 1006;

  /** Message data not consistent with its type (invalid UTF-8 in a text message). */
  public static final int INVALID_PAYLOAD = 1007;

  /** A message that violates the endpoint's policy. */
  public static final int POLICY_VIOLATION = 1008;

  /** A message too big to process. */
  public static final int MESSAGE_TOO_BIG = 1009;

  /** An unexpected condition on the server: here, the backend connection failed. */
  public static final int INTERNAL_ERROR = 1011;

  /** A gateway received an invalid response from the upstream server; here, a broken backend. */
  public static final int BAD_GATEWAY = 1014;

  /** Never on the wire: a TLS handshake failure; the last code RFC 6455 and the registry name. */
  public static final int TLS_HANDSHAKE = 1015;

  private CloseCodes() {}
}
