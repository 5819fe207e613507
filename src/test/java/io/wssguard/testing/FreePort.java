package io.wssguard.testing;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;

/**
 * A loopback port nothing listens on right now, for the few places a test must write a port into a
 * file before the process that binds it starts (a packaged-jar run, the admin address that {@code
 * wssguard reload} reads from the configuration). Everything else binds port 0.
 */
public final class FreePort {
  private FreePort() {}

  public static int next() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }
}
