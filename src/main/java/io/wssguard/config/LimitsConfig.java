package io.wssguard.config;

/**
 * Limits of the whole process, across listeners.
 *
 * @param maxConnections client connections open at once; beyond it a new connection is closed right
 *     after accept. {@link #DERIVED} (0): taken from the file-descriptor limit at start, as each
 *     conversation holds two sockets
 */
public record LimitsConfig(int maxConnections) {
  /** {@code maxConnections} when the file does not set it. */
  public static final int DERIVED = 0;

  public static final LimitsConfig DEFAULT = new LimitsConfig(DERIVED);

  public LimitsConfig {
    if (maxConnections < 0) {
      throw new IllegalArgumentException("maxConnections: " + maxConnections);
    }
  }
}
