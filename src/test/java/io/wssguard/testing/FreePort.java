package io.wssguard.testing;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A loopback port nothing listens on right now, for the few places a test must write a port into a
 * file before the process that binds it starts (a packaged-jar run, the admin address that {@code
 * wssguard reload} reads from the configuration). Everything else binds port 0.
 */
public final class FreePort {
  /**
   * Ports handed out in this JVM: the kernel may give a just-closed port 0 bind the same number
   * again, and a test that asks twice before starting anything (an admin port and a demo port for
   * one config) must get two.
   */
  private static final Set<Integer> GIVEN = ConcurrentHashMap.newKeySet();

  private FreePort() {}

  public static int next() throws IOException {
    while (true) {
      try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
        if (GIVEN.add(s.getLocalPort())) {
          return s.getLocalPort();
        }
      }
    }
  }
}
