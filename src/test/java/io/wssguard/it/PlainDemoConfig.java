package io.wssguard.it;

import io.wssguard.testing.FreePort;
import java.io.IOException;

/**
 * The start of a config file for the packaged jar run as a process: one plain listener on {@code
 * port} routing everything to the built-in echo backend on a free port of its own. Tests append the
 * blocks they are about (admin, bans, policies).
 */
final class PlainDemoConfig {
  private PlainDemoConfig() {}

  static String yaml(int port) throws IOException {
    int demoPort = FreePort.next();
    return """
        listeners:
          - name: plain
            bind: 127.0.0.1:%d
        backends:
          demo:
            servers: [ws://127.0.0.1:%d/]
        routes:
          - path: /
            backend: demo
        demoBackend:
          bind: 127.0.0.1:%d
        """
        .formatted(port, demoPort, demoPort);
  }
}
