package io.wssguard.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.wssguard.policy.PolicyParser;
import io.wssguard.time.ManualTicker;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shipped default policy (policies/default.yaml) end to end: each of its limits with its exact
 * status or close code, strikes turning into a ban, other addresses unaffected. Each test uses its
 * own source addresses. Time moves only when a test advances the proxy's clock.
 */
class DefaultPolicyIT {
  @TempDir static Path certs;
  static final ManualTicker clock = new ManualTicker();
  static NodeBackend node;
  static TestProxy proxy;

  @BeforeAll
  static void start() throws Exception {
    node = NodeBackend.start();
    proxy =
        TestProxy.builder(certs)
            .backend("node", node.url("/"))
            .route("/", "node")
            .policies(PolicyParser.embeddedDefault())
            .ticker(clock)
            .start();
  }

  @AfterAll
  static void stop() {
    proxy.close();
    node.close();
  }

  private static RawClient open(String from) throws Exception {
    return RawClient.connect(proxy.port("plain"), false, from).upgrade("/echo");
  }

  /** What {@code handshake} returns for a connection closed without an answer (a banned source). */
  private static final int CLOSED = -1;

  /** The status of an upgrade from {@code from}, or {@link #CLOSED}. */
  private static int handshake(String from) throws Exception {
    try (RawClient c = RawClient.connect(proxy.port("plain"), false, from)) {
      return RawClient.status(c.request(RawClient.upgradeRequest("/echo")));
    } catch (java.io.EOFException | java.net.SocketException closedAtAccept) {
      return CLOSED;
    }
  }

  @Test
  void answers429_onceTheBurstOf40HandshakesIsSpent() throws Exception {
    int accepted = 0;
    int status = 101;
    while (accepted < 200 && (status = handshake("127.0.1.1")) == 101) {
      accepted++;
    }
    assertEquals(429, status);
    assertEquals(40, accepted, "the burst exactly: the clock stood still");
    assertEquals(101, handshake("127.0.1.2"));
    clock.advance(Duration.ofMillis(50));
    assertEquals(101, handshake("127.0.1.1"), "20/s refills one handshake in 50 ms");
  }

  @Test
  void answers429_for65thConcurrentConnection() throws Exception {
    List<RawClient> open = new ArrayList<>();
    try {
      for (int i = 0; i < 64; i++) {
        open.add(open("127.0.1.3"));
        if (i % 16 == 15) {
          clock.advance(Duration.ofSeconds(1)); // stay under the handshake rate
        }
      }
      assertEquals(429, handshake("127.0.1.3"));
      assertEquals(101, handshake("127.0.1.4"));
    } finally {
      for (RawClient c : open) {
        c.close();
      }
    }
  }

  @Test
  void closes1009_forMessageOver1MiB() throws Exception {
    try (RawClient c = open("127.0.1.5")) {
      c.send(RawClient.frame(0x82, new byte[(1 << 20) + 1]));
      assertEquals(1009, c.readCloseCode());
    }
  }

  @Test
  void closes1008_afterBurstOf200Messages() throws Exception {
    try (RawClient c = open("127.0.1.6")) {
      byte[] frame = RawClient.frame(0x81, "x".getBytes(StandardCharsets.UTF_8));
      ByteArrayOutputStream flood = new ByteArrayOutputStream();
      for (int i = 0; i < 260; i++) {
        flood.writeBytes(frame);
      }
      c.send(flood.toByteArray());
      assertEquals(1008, c.readCloseCode());
    }
  }

  @Test
  void closes1007_forInvalidUtf8() throws Exception {
    try (RawClient c = open("127.0.1.7")) {
      c.send(RawClient.frame(0x81, new byte[] {(byte) 0xFF}));
      assertEquals(1007, c.readCloseCode());
    }
  }

  @Test
  void bansAtAccept_afterFiveStrikes_andOthersStayIn() throws Exception {
    for (int i = 0; i < 5; i++) { // each oversized message is a strike
      try (RawClient c = open("127.0.1.8")) {
        c.send(RawClient.frame(0x82, new byte[(1 << 20) + 1]));
        assertEquals(1009, c.readCloseCode());
      }
    }
    assertEquals(CLOSED, handshake("127.0.1.8"));
    assertEquals(101, handshake("127.0.1.9"));
  }
}
