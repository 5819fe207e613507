package io.wssguard.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.wssguard.config.BackendGroupConfig;
import io.wssguard.config.BackendTlsConfig;
import io.wssguard.config.Balance;
import io.wssguard.config.TimeoutsConfig;
import io.wssguard.testing.FreePort;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Malformed opening handshakes get the right HTTP status before anything reaches a backend (RFC
 * 6455 4.2.1).
 */
class HandshakeIT {
  @TempDir static Path certs;
  static NodeBackend node;
  static TestProxy proxy;
  static int deadPort;

  @BeforeAll
  static void start() throws Exception {
    node = NodeBackend.start();
    deadPort = FreePort.next(); // nothing listens there
    proxy =
        TestProxy.builder(certs)
            .timeouts(
                new TimeoutsConfig(
                    Duration.ofSeconds(2),
                    8192,
                    Duration.ofSeconds(300),
                    Duration.ofSeconds(30),
                    Duration.ofSeconds(1)))
            .backend("node", node.url("/"))
            .backend("dead", "ws://127.0.0.1:" + deadPort + "/")
            .backend("failover", "ws://127.0.0.1:" + deadPort + "/", node.url("/"))
            .backendGroup(
                new BackendGroupConfig(
                    "slow",
                    java.util.List.of(java.net.URI.create(node.url("/"))),
                    Balance.ROUND_ROBIN,
                    Duration.ofSeconds(2),
                    Duration.ofSeconds(10),
                    2,
                    BackendTlsConfig.DEFAULT,
                    BackendGroupConfig.DEFAULT_RESOLVE_EVERY))
            .route("/limited", "slow")
            .route("/dead", "dead")
            .route("/failover", "failover")
            .route("/echo", "node")
            .route("/headers", "node")
            .start();
  }

  @AfterAll
  static void stop() throws Exception {
    proxy.close();
    node.close();
  }

  private static int statusOf(String head) throws Exception {
    try (RawClient c = RawClient.connect(proxy.port("boring"), true)) {
      return RawClient.status(c.request(head));
    }
  }

  private static String valid(String path, String extraHeaders) {
    return RawClient.upgradeRequest(path).replace("\r\n\r\n", "\r\n" + extraHeaders + "\r\n\r\n");
  }

  @Test
  void answers101_forWellFormedHandshake() throws Exception {
    assertEquals(101, statusOf(RawClient.upgradeRequest("/echo")));
  }

  @Test
  void answers405_whenMethodIsNotGet() throws Exception {
    assertEquals(405, statusOf(RawClient.upgradeRequest("/echo").replaceFirst("GET", "POST")));
  }

  @Test
  void answers400_forHttp10() throws Exception {
    assertEquals(400, statusOf(RawClient.upgradeRequest("/echo").replace("HTTP/1.1", "HTTP/1.0")));
  }

  @Test
  void answers426_withoutUpgradeHeader() throws Exception {
    try (RawClient c = RawClient.connect(proxy.port("boring"), true)) {
      String head = c.request("GET /echo HTTP/1.1\r\nHost: localhost\r\n\r\n");
      assertEquals(426, RawClient.status(head));
      assertTrue(head.toLowerCase(Locale.ROOT).contains("upgrade: websocket"), head);
    }
  }

  @Test
  void answers400_forUpgradeToAnotherProtocol() throws Exception {
    assertEquals(
        400,
        statusOf(RawClient.upgradeRequest("/echo").replace("Upgrade: websocket", "Upgrade: h2c")));
  }

  @Test
  void answers400_withoutConnectionUpgrade() throws Exception {
    assertEquals(
        400,
        statusOf(
            RawClient.upgradeRequest("/echo").replace("Connection: Upgrade", "Connection: close")));
  }

  @Test
  void answers426_withSupportedVersion_whenVersionIsNot13() throws Exception {
    try (RawClient c = RawClient.connect(proxy.port("boring"), true)) {
      String head =
          c.request(RawClient.upgradeRequest("/echo").replace("Version: 13", "Version: 8"));
      assertEquals(426, RawClient.status(head));
      assertTrue(head.contains("Sec-WebSocket-Version: 13"), head);
    }
  }

  @Test
  void answers426_whenVersionIsMissing() throws Exception {
    assertEquals(
        426,
        statusOf(RawClient.upgradeRequest("/echo").replace("Sec-WebSocket-Version: 13\r\n", "")));
  }

  @Test
  void answers400_whenKeyIsNot16BytesOfBase64() throws Exception {
    assertEquals(
        400, statusOf(RawClient.upgradeRequest("/echo").replace(RawClient.KEY, "c2hvcnQ=")));
    assertEquals(
        400,
        statusOf(
            RawClient.upgradeRequest("/echo").replace(RawClient.KEY, "!!!!!!!!!!!!!!!!!!!!!!==")));
    assertEquals(
        400,
        statusOf(
            RawClient.upgradeRequest("/echo")
                .replace("Sec-WebSocket-Key: " + RawClient.KEY + "\r\n", "")));
  }

  @Test
  void answers400_whenKeyIsRepeated() throws Exception {
    assertEquals(400, statusOf(valid("/echo", "Sec-WebSocket-Key: " + RawClient.randomKey())));
  }

  @Test
  void answers400_whenUpgradeAnnouncesABody() throws Exception {
    assertEquals(400, statusOf(valid("/echo", "Content-Length: 5")));
    assertEquals(400, statusOf(valid("/echo", "Content-Length: 0\r\nContent-Length: 0")));
    assertEquals(400, statusOf(valid("/echo", "Transfer-Encoding: chunked")));
  }

  @Test
  void answers101_forEmptyContentLength() throws Exception {
    assertEquals(101, statusOf(valid("/echo", "Content-Length: 0")));
  }

  @ParameterizedTest
  @ValueSource(strings = {"chat v2", "chat/v2", "chat, chat", "\"chat\"", ",", "chat@v2"})
  void answers400_forSubprotocolOffersThatAreNotDistinctTokens(String offer) throws Exception {
    try (RawClient c = RawClient.connect(proxy.port("plain"), false)) {
      String head = c.request(valid("/echo", "Sec-WebSocket-Protocol: " + offer));
      assertEquals(400, RawClient.status(head), head);
      assertEquals(
          "Sec-WebSocket-Protocol must list distinct subprotocol tokens (RFC 7230 section 3.2.6)\n",
          new String(c.in.readAllBytes(), StandardCharsets.UTF_8));
    }
  }

  @Test
  void answers101_forSubprotocolTokenList() throws Exception {
    assertEquals(101, statusOf(valid("/echo", "Sec-WebSocket-Protocol: chat.v1, mqtt")));
  }

  @Test
  void answers431_whenHeaderBlockExceedsLimit() throws Exception {
    assertEquals(431, statusOf(valid("/echo", "X-Padding: " + "a".repeat(9000))));
  }

  @Test
  void answers404_whenNoRouteMatches() throws Exception {
    assertEquals(404, statusOf(RawClient.upgradeRequest("/nowhere")));
  }

  @Test
  void answers502_whenNoBackendAnswers() throws Exception {
    assertEquals(502, statusOf(RawClient.upgradeRequest("/dead")));
  }

  @Test
  void answers503_whenBackendGroupConnectRateIsSpent() throws Exception {
    int refused = 0;
    for (int i = 0; i < 4; i++) { // 2 per second for the group; 4 quick ones cannot all pass
      try (RawClient c = RawClient.connect(proxy.port("plain"), false)) {
        String head = c.request(RawClient.upgradeRequest("/limited"));
        if (RawClient.status(head) == 503) {
          refused++;
          assertTrue(head.contains("Retry-After: 1"), head);
        } else {
          assertEquals(101, RawClient.status(head));
        }
      }
    }
    assertTrue(refused >= 1, "the connect rate must have refused one");
  }

  @Test
  void triesNextBackend_beforeAnsweringClient() throws Exception {
    for (int i = 0; i < 4; i++) { // round-robin starts on the dead server at least once
      assertEquals(101, statusOf(RawClient.upgradeRequest("/failover")));
    }
  }

  @Test
  void closesConnection_whenHandshakeIsNotCompleteInTime() throws Exception {
    try (RawClient c = RawClient.connect(proxy.port("boring"), true)) {
      c.send("GET /echo HTTP/1.1\r\nHost: loc".getBytes(StandardCharsets.UTF_8));
      long start = System.nanoTime();
      assertTrue(c.closedByPeer(), "a stalled handshake must be cut off");
      long waited = (System.nanoTime() - start) / 1_000_000;
      assertTrue(waited < 4000, "cut off after " + waited + " ms, limit 2000 ms");
    }
  }

  @Test
  void closesConnection_whenNothingIsSentAfterAccept() throws Exception {
    try (RawClient c = RawClient.connect(proxy.port("plain"), false)) {
      assertTrue(c.closedByPeer(), "a silent connection must be cut off");
    }
  }

  @Test
  void forwardsProxyHeaders_andNotTheClientsOwn() throws Exception {
    try (RawClient c = RawClient.connect(proxy.port("boring"), true)) {
      c.request(
          valid(
              "/headers",
              "X-Forwarded-For: 6.6.6.6\r\nForwarded: for=6.6.6.6\r\nSec-WebSocket-Protocol: chat"));
      // The backend sends the headers it saw as its first message (ws may not pick "chat": it
      // offered no handler)
      String json = c.readFrame().text();
      assertTrue(json.contains("\"x-forwarded-for\":\"127.0.0.1\""), json);
      assertTrue(json.contains("\"x-forwarded-proto\":\"https\""), json);
      assertTrue(
          json.contains("\"forwarded\":\"for=127.0.0.1;proto=https;host=\\\"localhost\\\"\""),
          json);
      assertTrue(!json.contains("6.6.6.6"), json);
      assertTrue(json.contains("\"sec-websocket-key\":\"" + RawClient.KEY + "\""), json);
    }
  }
}
