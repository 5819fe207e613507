package io.wssguard.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code limits.maxConnections}: beyond it a new connection is closed at once and counted; places
 * come back when connections (relays included) close.
 */
class ConnectionCapIT {
  @TempDir static Path certs;
  static NodeBackend node;
  static TestProxy proxy;

  @BeforeAll
  static void start() throws Exception {
    node = NodeBackend.start();
    proxy =
        TestProxy.builder(certs)
            .backend("node", node.url("/"))
            .route("/", "node")
            .maxConnections(2)
            .start();
  }

  @AfterAll
  static void stop() {
    proxy.close();
    node.close();
  }

  private static double metric(String name, String... labels) {
    return AcceptGateIT.metric(proxy, name, labels);
  }

  private static void awaitOpen(double expected) throws InterruptedException {
    long deadline = System.nanoTime() + 10_000_000_000L;
    while (metric("wssguard_accepted_connections") != expected && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
    assertEquals(
        expected,
        metric("wssguard_accepted_connections"),
        proxy.server.observability().metrics().scrape());
  }

  @Test
  void closesConnectionsBeyondTheCap_untilOneCloses() throws Exception {
    assertEquals(2, metric("wssguard_accepted_connections_max"));
    try (RawClient a = RawClient.connect(proxy.port("plain"), false).upgrade("/");
        RawClient b = RawClient.connect(proxy.port("boring"), true).upgrade("/")) {
      awaitOpen(2);
      try (RawClient c = RawClient.connect(proxy.port("plain"), false)) {
        int first;
        try {
          c.out.write(RawClient.upgradeRequest("/").getBytes(StandardCharsets.US_ASCII));
          first = c.in.read();
        } catch (SocketException reset) {
          first = -1;
        }
        assertEquals(-1, first, "closed without an answer");
      }
      assertEquals(1, metric("wssguard_connections_refused_total", "reason", "capacity"));
    }
    awaitOpen(0);
    try (RawClient d = RawClient.connect(proxy.port("plain"), false)) {
      d.upgrade("/");
    }
    assertTrue(metric("wssguard_connections_refused_total", "reason", "capacity") == 1);
  }
}
