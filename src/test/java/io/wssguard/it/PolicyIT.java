package io.wssguard.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.wssguard.ban.MemoryBans;
import io.wssguard.config.RouteConfig;
import io.wssguard.net.Cidr;
import io.wssguard.policy.AccessRules;
import io.wssguard.policy.Action;
import io.wssguard.policy.CountLimit;
import io.wssguard.policy.HandshakeRules;
import io.wssguard.policy.Mode;
import io.wssguard.policy.PerConnectionLimits;
import io.wssguard.policy.PerIpLimits;
import io.wssguard.policy.Policy;
import io.wssguard.policy.PolicyParser;
import io.wssguard.policy.RateLimit;
import io.wssguard.policy.StrikeRules;
import io.wssguard.testing.Await;
import io.wssguard.time.ManualTicker;
import io.wssguard.time.Ticker;
import java.io.ByteArrayOutputStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Policies enforced end to end, from several source addresses in 127.0.0.0/8, each limit with its
 * exact status or close code.
 */
class PolicyIT {
  @TempDir static Path certs;
  static NodeBackend node;

  @BeforeAll
  static void startBackend() throws Exception {
    node = NodeBackend.start();
  }

  @AfterAll
  static void stopBackend() {
    node.close();
  }

  private static TestProxy proxy(Policy policy) throws Exception {
    return proxy(policy, Ticker.system());
  }

  /** A proxy on {@code clock}: a test that waits for a refill or a ban's end advances it. */
  private static TestProxy proxy(Policy policy, Ticker clock) throws Exception {
    return TestProxy.builder(certs)
        .backend("node", node.url("/"))
        .route("/", "node")
        .policies(TestPolicies.set(policy))
        .ticker(clock)
        .start();
  }

  private static Policy limits(
      Mode mode, PerIpLimits ip, PerConnectionLimits conn, StrikeRules strikes) {
    return TestPolicies.policy(
        "default", mode, HandshakeRules.NONE, ip, conn, AccessRules.NONE, strikes);
  }

  /** The status of an upgrade to /echo from {@code from}, or {@link RawClient#CLOSED}. */
  private static int handshake(TestProxy p, String from) throws Exception {
    return RawClient.upgradeStatus(p.port("plain"), from, "/echo");
  }

  private static byte[] text(String s) {
    return RawClient.frame(0x81, s.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void answers429_afterHandshakeBurst_andOtherAddressesAreUnaffected() throws Exception {
    PerIpLimits ip = new PerIpLimits(new RateLimit(1, 5, Action.REJECT, false), null, null, null);
    try (TestProxy p = proxy(limits(Mode.ENFORCE, ip, PerConnectionLimits.NONE, null))) {
      for (int i = 0; i < 5; i++) {
        assertEquals(101, handshake(p, "127.0.0.2"));
      }
      assertEquals(429, handshake(p, "127.0.0.2"));
      assertEquals(101, handshake(p, "127.0.0.3"));
    }
  }

  @Test
  void answers429_overConcurrentConnectionLimit_untilOneCloses() throws Exception {
    PerIpLimits ip = new PerIpLimits(null, new CountLimit(2, Action.REJECT, false), null, null);
    try (TestProxy p = proxy(limits(Mode.ENFORCE, ip, PerConnectionLimits.NONE, null))) {
      RawClient a = RawClient.connect(p.port("plain"), false, "127.0.0.4").upgrade("/echo");
      RawClient b = RawClient.connect(p.port("plain"), false, "127.0.0.4").upgrade("/echo");
      assertEquals(429, handshake(p, "127.0.0.4"));
      assertEquals(101, handshake(p, "127.0.0.5"));
      a.send(RawClient.frame(0x88, RawClient.closePayload(1000, "")));
      assertEquals(1000, a.readCloseCode());
      a.close();
      awaitRelays(p, 1);
      assertEquals(101, handshake(p, "127.0.0.4"));
      b.close();
    }
  }

  @Test
  void closes1008_whenConnectionSendsFasterThanItsRate() throws Exception {
    PerConnectionLimits conn =
        new PerConnectionLimits(
            new RateLimit(1, 10, Action.CLOSE, false), null, null, null, null, null);
    try (TestProxy p = proxy(limits(Mode.ENFORCE, PerIpLimits.NONE, conn, null));
        RawClient c = RawClient.connect(p.port("plain"), false, "127.0.0.6").upgrade("/echo")) {
      for (int i = 0; i < 10; i++) {
        c.send(text("m" + i));
      }
      for (int i = 0; i < 10; i++) {
        assertEquals("m" + i, c.readFrame().text());
      }
      c.send(text("one too many"));
      assertEquals(1008, c.readCloseCode());
      String metrics = p.server.observability().metrics().scrape();
      assertTrue(metrics.contains("wssguard_policy_decisions_total{action=\"close\""), metrics);
      assertFalse(
          metrics.contains("wssguard_protocol_violations_total{"),
          "a policy's close is the policy's event, not a protocol violation: " + metrics);
    }
  }

  @Test
  void countsControlFrames_asMessages() throws Exception {
    PerConnectionLimits conn =
        new PerConnectionLimits(
            new RateLimit(1, 3, Action.CLOSE, false), null, null, null, null, null);
    try (TestProxy p = proxy(limits(Mode.ENFORCE, PerIpLimits.NONE, conn, null));
        RawClient c = RawClient.connect(p.port("plain"), false, "127.0.0.6").upgrade("/echo")) {
      for (int i = 0; i < 4; i++) {
        c.send(RawClient.frame(0x89, new byte[0]));
      }
      assertEquals(1008, c.readCloseCode());
    }
  }

  @Test
  void closes1009_forMessageOverPolicySize() throws Exception {
    PerConnectionLimits conn =
        new PerConnectionLimits(
            null, null, new CountLimit(1000, Action.CLOSE, false), null, null, null);
    try (TestProxy p = proxy(limits(Mode.ENFORCE, PerIpLimits.NONE, conn, null));
        RawClient c = RawClient.connect(p.port("plain"), false, "127.0.0.7").upgrade("/echo")) {
      assertPassesUpTo_thenCloses1009(c, 1000);
    }
  }

  /** The size notation end to end: a policy file that says {@code 1 KiB} means 1024 bytes. */
  @Test
  void closes1009_forMessageOverASizeWrittenInKiB_inAPolicyFile() throws Exception {
    Path file =
        Files.writeString(
            certs.resolve("kib.yaml"),
            """
            policies:
              default:
                perConnection:
                  maxMessageBytes: {max: 1 KiB, action: close}
            """);
    try (TestProxy p =
            TestProxy.builder(certs)
                .backend("node", node.url("/"))
                .route("/", "node")
                .policies(PolicyParser.parseFiles(List.of(file)))
                .start();
        RawClient c = RawClient.connect(p.port("plain"), false, "127.0.0.7").upgrade("/echo")) {
      assertPassesUpTo_thenCloses1009(c, 1024);
    }
  }

  @Test
  void dropsMessagesOverRate_andKeepsConnectionOpen() throws Exception {
    PerConnectionLimits conn =
        new PerConnectionLimits(
            new RateLimit(2, 3, Action.DROP, false), null, null, null, null, null);
    ManualTicker clock = new ManualTicker();
    try (TestProxy p = proxy(limits(Mode.ENFORCE, PerIpLimits.NONE, conn, null), clock);
        RawClient c = RawClient.connect(p.port("plain"), false, "127.0.0.8").upgrade("/echo")) {
      StringBuilder burst = new StringBuilder();
      // One write, so the proxy reads the whole flood at once: the clock must not move on while
      // part of it is still unread (a refilled token would let one through).
      ByteArrayOutputStream flood = new ByteArrayOutputStream();
      for (int i = 0; i < 8; i++) {
        flood.write(text("d" + i));
      }
      c.send(flood.toByteArray());
      for (int i = 0; i < 3; i++) {
        burst.append(c.readFrame().text());
      }
      assertEquals(
          "d0d1d2", burst.toString(), "the burst passes, the rest of the flood is dropped");
      clock.advance(Duration.ofMillis(500));
      c.send(text("later"));
      assertEquals(
          "later", c.readFrame().text(), "the connection lives on and 2/s refills one in 500 ms");
    }
  }

  @Test
  void throttlesBytes_deliveringEverythingLater() throws Exception {
    PerConnectionLimits conn =
        new PerConnectionLimits(
            null, new RateLimit(20_000, 20_000, Action.THROTTLE, false), null, null, null, null);
    try (TestProxy p = proxy(limits(Mode.ENFORCE, PerIpLimits.NONE, conn, null));
        RawClient c = RawClient.connect(p.port("plain"), false, "127.0.0.9").upgrade("/echo")) {
      long start = System.nanoTime();
      for (int i = 0; i < 4; i++) {
        c.send(RawClient.frame(0x82, new byte[20_000]));
      }
      for (int i = 0; i < 4; i++) {
        assertEquals(20_000, c.readFrame().payload().length);
      }
      long ms = (System.nanoTime() - start) / 1_000_000;
      // 80 kB at 20 kB/s with a 20 kB burst: at least 3 s of waiting, nothing lost.
      assertTrue(ms >= 2900, "took only " + ms + " ms");
    }
  }

  @Test
  void bansAfterStrikes_untilBanExpires_andOthersAreUnaffected() throws Exception {
    PerIpLimits ip = new PerIpLimits(new RateLimit(0.5, 1, Action.REJECT, true), null, null, null);
    StrikeRules strikes = new StrikeRules(3, Duration.ofMinutes(10), Duration.ofSeconds(10));
    ManualTicker clock = new ManualTicker();
    try (TestProxy p = proxy(limits(Mode.ENFORCE, ip, PerConnectionLimits.NONE, strikes), clock)) {
      assertEquals(101, handshake(p, "127.0.0.10"));
      assertEquals(429, handshake(p, "127.0.0.10"));
      assertEquals(429, handshake(p, "127.0.0.10"));
      assertEquals(429, handshake(p, "127.0.0.10")); // third strike: banned
      assertEquals(101, handshake(p, "127.0.0.11"));
      clock.advance(Duration.ofSeconds(9));
      assertEquals(
          RawClient.CLOSED, handshake(p, "127.0.0.10"), "the rate has refilled, but the ban holds");
      clock.advance(Duration.ofSeconds(1));
      assertEquals(101, handshake(p, "127.0.0.10"), "the ban has ended");
    }
  }

  @Test
  void closesAtAccept_whileBanned() throws Exception {
    PerIpLimits ip =
        new PerIpLimits(new RateLimit(100, 100, Action.REJECT, true), null, null, null);
    PerConnectionLimits conn =
        new PerConnectionLimits(
            null, null, new CountLimit(10, Action.CLOSE, true), null, null, null);
    StrikeRules strikes = new StrikeRules(2, Duration.ofMinutes(10), Duration.ofMinutes(5));
    try (TestProxy p = proxy(limits(Mode.ENFORCE, ip, conn, strikes))) {
      for (int i = 0; i < 2; i++) {
        try (RawClient c =
            RawClient.connect(p.port("plain"), false, "127.0.0.12").upgrade("/echo")) {
          c.send(RawClient.frame(0x82, new byte[11]));
          assertEquals(1009, c.readCloseCode());
        }
      }
      assertEquals(RawClient.CLOSED, handshake(p, "127.0.0.12"));
      assertEquals(101, handshake(p, "127.0.0.13"));
    }
  }

  @Test
  void protocolViolations_areStrikes_onlyWhereThePolicySaysSo() throws Exception {
    PerIpLimits ip =
        new PerIpLimits(new RateLimit(100, 100, Action.REJECT, true), null, null, null);
    for (boolean counted : new boolean[] {true, false}) {
      StrikeRules strikes =
          new StrikeRules(2, Duration.ofMinutes(10), Duration.ofMinutes(5), counted);
      try (TestProxy p = proxy(limits(Mode.ENFORCE, ip, PerConnectionLimits.NONE, strikes))) {
        try (RawClient c =
            RawClient.connect(p.port("plain"), false, "127.0.0.15").upgrade("/echo")) {
          c.send(RawClient.frame(0x82, new byte[4], false)); // unmasked
          assertEquals(1002, c.readCloseCode());
        }
        try (RawClient c =
            RawClient.connect(p.port("plain"), false, "127.0.0.15").upgrade("/echo")) {
          c.send(RawClient.frame(0x81, new byte[] {(byte) 0xC3, 0x28})); // invalid UTF-8
          assertEquals(1007, c.readCloseCode());
        }
        assertEquals(
            counted ? RawClient.CLOSED : 101,
            handshake(p, "127.0.0.15"),
            counted ? "two breaches, two strikes: banned" : "not counted: not banned");
        assertEquals(101, handshake(p, "127.0.0.16"));
      }
    }
  }

  @Test
  void monitorMode_letsEverythingThrough() throws Exception {
    PerIpLimits ip = new PerIpLimits(new RateLimit(0.1, 1, Action.REJECT, true), null, null, null);
    PerConnectionLimits conn =
        new PerConnectionLimits(
            new RateLimit(0.1, 1, Action.CLOSE, true),
            null,
            new CountLimit(10, Action.CLOSE, true),
            null,
            null,
            null);
    try (TestProxy p =
        proxy(
            limits(
                Mode.MONITOR,
                ip,
                conn,
                new StrikeRules(1, Duration.ofMinutes(1), Duration.ofMinutes(1))))) {
      for (int i = 0; i < 3; i++) {
        assertEquals(101, handshake(p, "127.0.0.14"));
      }
      try (RawClient c = RawClient.connect(p.port("plain"), false, "127.0.0.14").upgrade("/echo")) {
        for (int i = 0; i < 5; i++) {
          c.send(RawClient.frame(0x82, new byte[20]));
          assertEquals(20, c.readFrame().payload().length);
        }
      }
      assertEquals(101, handshake(p, "127.0.0.14"), "monitor mode never bans");
    }
  }

  @Test
  void reloadTightensLimit_forAlreadyOpenConnection() throws Exception {
    PerConnectionLimits loose =
        new PerConnectionLimits(
            new RateLimit(1000, 1000, Action.CLOSE, false), null, null, null, null, null);
    try (TestProxy p = proxy(limits(Mode.ENFORCE, PerIpLimits.NONE, loose, null));
        RawClient c = RawClient.connect(p.port("plain"), false, "127.0.0.15").upgrade("/echo")) {
      for (int i = 0; i < 5; i++) {
        c.send(text("x"));
        assertEquals("x", c.readFrame().text());
      }
      PerConnectionLimits tight =
          new PerConnectionLimits(
              new RateLimit(1, 1, Action.CLOSE, false), null, null, null, null, null);
      p.server
          .policies()
          .replace(TestPolicies.set(limits(Mode.ENFORCE, PerIpLimits.NONE, tight, null)));
      c.send(text("a"));
      c.send(text("b"));
      c.send(text("c"));
      assertEquals(1008, c.readCloseCode());
    }
  }

  @Test
  void checksOriginsSubprotocolsAndHeaders() throws Exception {
    HandshakeRules rules =
        new HandshakeRules(
            List.of("https://*.example.com", "https://exact.org"),
            List.of("chat.v1"),
            List.of("Authorization"),
            List.of("/echo", "/rooms/*"),
            0);
    Policy policy = TestPolicies.handshakeOnly("default", rules);
    try (TestProxy p = proxy(policy)) {
      String ok =
          "Origin: https://app.example.com\r\nAuthorization: Bearer x\r\nSec-WebSocket-Protocol: chat.v2, chat.v1";
      assertEquals(101, status(p, "/echo", ok));
      assertEquals(101, status(p, "/rooms/42", ok));
      assertEquals(403, status(p, "/rooms/42/x", ok));
      assertEquals(
          101, status(p, "/echo", ok.replace("https://app.example.com", "https://exact.org")));
      assertEquals(
          403, status(p, "/echo", ok.replace("https://app.example.com", "https://evil.com")));
      assertEquals(
          403,
          status(p, "/echo", ok.replace("https://app.example.com", "https://example.com.evil.io")));
      assertEquals(403, status(p, "/echo", ok.replace("Authorization", "X-Other")));
      assertEquals(403, status(p, "/echo", ok.replace("chat.v2, chat.v1", "chat.v2")));
      try (RawClient c = RawClient.connect(p.port("plain"), false)) {
        String head = c.request(withHeaders("/echo", ok));
        assertTrue(head.toLowerCase(Locale.ROOT).contains("sec-websocket-protocol: chat.v1"), head);
      }
    }
  }

  @Test
  void believesForwardedFor_onlyFromTrustedProxies() throws Exception {
    AccessRules access =
        new AccessRules(
            List.of(),
            List.of(
                new Cidr(InetAddress.getByName("203.0.113.0"), 24),
                new Cidr(InetAddress.getByName("2001:db8:bad::"), 48)),
            List.of(new Cidr(InetAddress.getByName("127.0.0.20"), 32)),
            64);
    Policy policy = TestPolicies.accessOnly("default", access);
    try (TestProxy p = proxy(policy)) {
      String xff = "X-Forwarded-For: 203.0.113.9";
      assertEquals(403, statusFrom(p, "127.0.0.20", xff), "a trusted proxy names a denied client");
      assertEquals(101, statusFrom(p, "127.0.0.21", xff), "an untrusted peer's header is ignored");
      assertEquals(101, statusFrom(p, "127.0.0.20", "X-Forwarded-For: 198.51.100.1"));
      assertEquals(
          403,
          statusFrom(p, "127.0.0.20", "X-Forwarded-For: 203.0.113.9:4711"),
          "a port after the address (some load balancers write one) still names the client");
      assertEquals(
          403, statusFrom(p, "127.0.0.20", "X-Forwarded-For: [2001:db8:bad::9]:4711"), "IPv6");
    }
  }

  @Test
  void answers403_forDeniedAddress() throws Exception {
    AccessRules access =
        new AccessRules(
            List.of(), List.of(new Cidr(InetAddress.getByName("127.0.0.66"), 32)), List.of(), 64);
    Policy policy = TestPolicies.accessOnly("default", access);
    try (TestProxy p = proxy(policy)) {
      assertEquals(403, handshake(p, "127.0.0.66"));
      assertEquals(101, handshake(p, "127.0.0.67"));
    }
  }

  @Test
  void routeWithPolicyOff_checksNothingButTheProtocol() throws Exception {
    PerIpLimits ip = new PerIpLimits(new RateLimit(1, 1, Action.REJECT, false), null, null, null);
    PerConnectionLimits conn =
        new PerConnectionLimits(
            new RateLimit(1, 1, Action.CLOSE, false), null, null, null, null, null);
    try (TestProxy p =
        TestProxy.builder(certs)
            .backend("node", node.url("/"))
            .route(new RouteConfig(null, "/free", "node", false, 1 << 20, "off"))
            .route("/", "node")
            .policies(TestPolicies.set(limits(Mode.ENFORCE, ip, conn, null)))
            .start()) {
      for (int i = 0; i < 5; i++) {
        assertEquals(101, RawClient.upgradeStatus(p.port("plain"), "127.0.0.30", "/free/echo"));
      }
      try (RawClient c =
          RawClient.connect(p.port("plain"), false, "127.0.0.30").upgrade("/free/echo")) {
        for (int i = 0; i < 20; i++) {
          c.send(text("free"));
          assertEquals("free", c.readFrame().text());
        }
        c.send(RawClient.frame(0x81, new byte[] {(byte) 0xFF}));
        assertEquals(1007, c.readCloseCode(), "RFC checks still apply");
      }
      String metrics = p.server.observability().metrics().scrape();
      assertTrue(
          metrics.contains(
              "wssguard_protocol_violations_total{code=\"1007\",direction=\"client_to_backend\"}"),
          metrics);
      assertEquals(101, handshake(p, "127.0.0.31"));
      assertEquals(429, handshake(p, "127.0.0.31"), "the other route keeps its policy");
    }
  }

  @Test
  void forwardsTheClientNamedByATrustedProxy_inForwardingHeaders() throws Exception {
    AccessRules access =
        new AccessRules(
            List.of(), List.of(), List.of(new Cidr(InetAddress.getByName("127.0.0.20"), 32)), 64);
    Policy policy = TestPolicies.accessOnly("default", access);
    try (TestProxy p = proxy(policy);
        RawClient c = RawClient.connect(p.port("plain"), false, "127.0.0.20")) {
      String head =
          c.request(
              withHeaders(
                  "/headers", "X-Forwarded-For: 6.6.6.6, 198.51.100.7\r\nForwarded: for=6.6.6.6"));
      assertEquals(101, RawClient.status(head), head);
      String json = c.readFrame().text();
      assertTrue(json.contains("\"x-forwarded-for\":\"198.51.100.7\""), json);
      assertTrue(
          json.contains("\"forwarded\":\"for=198.51.100.7;proto=http;host=\\\"localhost\\\"\""),
          json);
    }
  }

  @Test
  void keepsTheHeadersChecksReliedOn_whenConnectionNamesThem() throws Exception {
    HandshakeRules rules =
        new HandshakeRules(
            List.of("https://app.example.com"), List.of(), List.of("X-Api-Key"), List.of(), 0);
    Policy policy = TestPolicies.handshakeOnly("default", rules);
    try (TestProxy p = proxy(policy);
        RawClient c = RawClient.connect(p.port("plain"), false)) {
      String head =
          c.request(
              withHeaders("/headers", "Origin: https://app.example.com\r\nX-Api-Key: k\r\nX-Hop: h")
                  .replace(
                      "Connection: Upgrade",
                      "Connection: Upgrade, Origin, Host, X-Api-Key, Sec-WebSocket-Key, X-Hop"));
      assertEquals(101, RawClient.status(head), head);
      String json = c.readFrame().text();
      assertTrue(json.contains("\"origin\":\"https://app.example.com\""), json);
      assertTrue(json.contains("\"host\":\"localhost\""), json);
      assertTrue(json.contains("\"x-api-key\":\"k\""), json);
      assertTrue(json.contains("\"sec-websocket-key\":\"" + RawClient.KEY + "\""), json);
      assertFalse(json.contains("x-hop"), json);
    }
  }

  @Test
  void answers429_toMalformedRequests_onceTheHandshakeBudgetIsSpent() throws Exception {
    PerIpLimits ip = new PerIpLimits(new RateLimit(1, 5, Action.REJECT, false), null, null, null);
    try (TestProxy p = proxy(limits(Mode.ENFORCE, ip, PerConnectionLimits.NONE, null))) {
      String noUpgrade = "GET /echo HTTP/1.1\r\nHost: localhost\r\n\r\n";
      for (int i = 0; i < 5; i++) {
        assertEquals(426, requestFrom(p, "127.0.0.40", noUpgrade));
      }
      assertEquals(429, requestFrom(p, "127.0.0.40", noUpgrade));
      assertEquals(429, handshake(p, "127.0.0.40"), "the same budget as well-formed handshakes");
      assertEquals(426, requestFrom(p, "127.0.0.41", noUpgrade));
    }
  }

  @Test
  void bansAfterMalformedRequests_asEachIsAStrike() throws Exception {
    StrikeRules strikes = new StrikeRules(3, Duration.ofMinutes(10), Duration.ofMinutes(5));
    try (TestProxy p =
        proxy(limits(Mode.ENFORCE, PerIpLimits.NONE, PerConnectionLimits.NONE, strikes))) {
      assertEquals(
          426, requestFrom(p, "127.0.0.42", "GET /echo HTTP/1.1\r\nHost: localhost\r\n\r\n"));
      assertEquals(
          405,
          requestFrom(p, "127.0.0.42", RawClient.upgradeRequest("/echo").replace("GET", "PUT")));
      assertEquals(400, requestFrom(p, "127.0.0.42", RawClient.upgradeRequest("/x/../echo")));
      assertEquals(RawClient.CLOSED, handshake(p, "127.0.0.42"), "three strikes: banned");
      assertEquals(101, handshake(p, "127.0.0.43"));
    }
  }

  @Test
  void routeWithPolicyOff_stillRefusesBannedSources() throws Exception {
    MemoryBans bans = new MemoryBans();
    bans.ban(
        InetAddress.getByName("127.0.0.44"), 32, Duration.ofMinutes(5), "test", List.of(), "test");
    try (TestProxy p =
        TestProxy.builder(certs)
            .backend("node", node.url("/"))
            .route(new RouteConfig(null, "/free", "node", false, 1 << 20, "off"))
            .route("/", "node")
            .policies(TestPolicies.set(TestPolicies.permissive("default")))
            .bans(bans)
            .start()) {
      // Closed right after accept, before the route (and its policy: off) is even known.
      assertEquals(
          RawClient.CLOSED, RawClient.upgradeStatus(p.port("plain"), "127.0.0.44", "/free/echo"));
      assertEquals(101, RawClient.upgradeStatus(p.port("plain"), "127.0.0.45", "/free/echo"));
    }
  }

  private static int requestFrom(TestProxy p, String from, String head) throws Exception {
    try (RawClient c = RawClient.connect(p.port("plain"), false, from)) {
      return RawClient.status(c.request(head));
    }
  }

  private static String withHeaders(String path, String headers) {
    return RawClient.upgradeRequest(path).replace("\r\n\r\n", "\r\n" + headers + "\r\n\r\n");
  }

  private static int status(TestProxy p, String path, String headers) throws Exception {
    try (RawClient c = RawClient.connect(p.port("plain"), false)) {
      return RawClient.status(c.request(withHeaders(path, headers)));
    }
  }

  private static int statusFrom(TestProxy p, String from, String headers) throws Exception {
    return requestFrom(p, from, withHeaders("/echo", headers));
  }

  /** A binary message of {@code max} bytes is echoed; one byte more closes with 1009. */
  private static void assertPassesUpTo_thenCloses1009(RawClient c, int max) throws Exception {
    c.send(RawClient.frame(0x82, new byte[max]));
    assertEquals(max, c.readFrame().payload().length);
    c.send(RawClient.frame(0x82, new byte[max + 1]));
    assertEquals(1009, c.readCloseCode());
  }

  private static void awaitRelays(TestProxy p, int n) throws Exception {
    Await.until(
        () -> p.server.openRelays() == n,
        Duration.ofSeconds(10),
        () -> n + " open relays, not " + p.server.openRelays());
  }
}
