package io.wssguard.baseline;

/**
 * What a route baseline measures. Rates are counted over {@link RouteBaseline#WINDOW_MS} windows,
 * and only windows in which something happened are samples: an idle connection or a source that
 * connected once says nothing about how fast it goes when it does.
 */
public enum Measure {
  /** Client-to-backend messages of one connection per second (the {@code perConnection} limits). */
  MESSAGE_RATE("messageRate", "msg/s"),
  /** Backend-to-client messages of one connection per second. */
  BACKEND_MESSAGE_RATE("backendMessageRate", "msg/s"),
  /** The size of one client-to-backend message, in bytes. */
  MESSAGE_BYTES("messageBytes", "B"),
  /** One source's handshakes per second ({@code perIp.handshakes}). */
  HANDSHAKE_RATE("handshakeRate", "handshakes/s"),
  /**
   * One source's open connections, counted at each of its handshakes with the new one included, as
   * {@code perIp.connections} counts them.
   */
  CONNECTIONS("connections", "connections");

  private final String id;
  private final String unit;

  Measure(String id, String unit) {
    this.id = id;
    this.unit = unit;
  }

  /** Its name in the baseline file (stable, unlike the ordinal). */
  public String id() {
    return id;
  }

  /** The unit of its samples, for people. */
  public String unit() {
    return unit;
  }

  static Measure ofId(String id) {
    for (Measure m : values()) {
      if (m.id.equals(id)) {
        return m;
      }
    }
    return null;
  }
}
