package io.wssguard.config;

/**
 * The smallest valid configuration, shared by the tests that parse one, which append blocks to it
 * or replace one of its lines. Line numbers: listeners 1, backends 4, routes 7.
 */
public final class MinimalConfig {
  public static final String MINIMAL =
      """
      listeners:
        - name: public
          bind: 127.0.0.1:8443
      backends:
        demo:
          servers: [ws://127.0.0.1:9000/]
      routes:
        - backend: demo
      """;

  private MinimalConfig() {}

  /** {@link #MINIMAL} with {@code line}, which must be one of its lines, replaced. */
  static String replaceLine(String line, String with) {
    if (!MINIMAL.contains(line)) {
      throw new IllegalArgumentException("not in the minimal config: " + line);
    }
    return MINIMAL.replace(line, with);
  }
}
