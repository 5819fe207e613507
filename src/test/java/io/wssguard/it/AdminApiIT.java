package io.wssguard.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.wssguard.ban.Bans;
import io.wssguard.ban.JournalBans;
import io.wssguard.ban.MemoryBans;
import io.wssguard.config.AdminConfig;
import io.wssguard.config.RouteConfig;
import io.wssguard.demo.DemoEchoBackend;
import io.wssguard.net.Cidr;
import io.wssguard.policy.AccessRules;
import io.wssguard.policy.Action;
import io.wssguard.policy.HandshakeRules;
import io.wssguard.policy.Mode;
import io.wssguard.policy.PerConnectionLimits;
import io.wssguard.policy.PerIpLimits;
import io.wssguard.policy.Policy;
import io.wssguard.policy.RateLimit;
import io.wssguard.policy.StrikeRules;
import io.wssguard.server.StartupException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The admin API as an attacker meets it, on real sockets: the token on everything but the loopback
 * metrics and health, the Host check against DNS rebinding, JSON-only state changes against
 * cross-site forms, ban limits and never-ban, strict bodies, health and readiness, and stalled
 * clients that must not hang the scrape.
 */
class AdminApiIT {
  private static final InetSocketAddress LOOPBACK_ANY_PORT =
      new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);

  @TempDir Path dir;
  private DemoEchoBackend demo;
  private TestProxy proxy;
  private JournalBans journal;

  @AfterEach
  void stop() throws Exception {
    if (proxy != null) {
      proxy.close();
    }
    if (journal != null) {
      journal.close();
    }
    if (demo != null) {
      demo.close();
    }
  }

  private Path tokenFile() {
    return dir.resolve("state/admin.token");
  }

  private TestProxy start(AdminConfig admin, Bans bans, Policy... policies) throws Exception {
    demo = DemoEchoBackend.start(LOOPBACK_ANY_PORT);
    TestProxy.Builder b =
        TestProxy.builder(dir)
            .backend("demo", "ws://127.0.0.1:" + demo.address().getPort() + "/")
            .route(new RouteConfig(null, "/strict", "demo", false, 1 << 20, "strict"))
            .route("/", "demo")
            .bans(bans)
            .admin(admin);
    b.policies(
        policies.length > 0
            ? TestPolicies.set(policies)
            : TestPolicies.set(
                TestPolicies.permissive("default"), TestPolicies.permissive("strict")));
    proxy = b.start();
    return proxy;
  }

  private TestProxy start() throws Exception {
    return start(new AdminConfig(LOOPBACK_ANY_PORT, tokenFile(), false, true), new MemoryBans());
  }

  private String base() {
    return proxy.server.adminUrl();
  }

  private int adminPort() {
    String url = base();
    return Integer.parseInt(url.substring(url.lastIndexOf(':') + 1, url.length() - 1));
  }

  private AdminClient admin() throws Exception {
    return AdminClient.withTokenFrom(base(), tokenFile());
  }

  private AdminClient anonymous() {
    return new AdminClient(base(), null);
  }

  private double bansAdded() throws Exception {
    return AdminClient.value(
        AdminClient.parse(proxy.server.observability().metrics().scrape()),
        "wssguard_bans_added_total");
  }

  /** One request on its own connection, the whole answer back (status line, headers, body). */
  private String raw(String request) throws Exception {
    try (Socket s = new Socket(InetAddress.getLoopbackAddress(), adminPort())) {
      s.setSoTimeout(10_000);
      s.getOutputStream().write(request.getBytes(StandardCharsets.UTF_8));
      return new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  private String get(String path, String host, String token) throws Exception {
    return raw(
        "GET "
            + path
            + " HTTP/1.1\r\nHost: "
            + host
            + "\r\n"
            + (token == null ? "" : "Authorization: Bearer " + token + "\r\n")
            + "Connection: close\r\n\r\n");
  }

  private static int status(String response) {
    return Integer.parseInt(response.substring(9, 12));
  }

  private static String body(String response) {
    return response.substring(response.indexOf("\r\n\r\n") + 4).strip();
  }

  @Test
  void everyEndpoint_needsTheToken_exceptMetricsHealthAndReady_onALoopbackBind() throws Exception {
    start();
    AdminClient anonymous = anonymous();
    for (String path : List.of("/status", "/bans", "/top")) {
      HttpResponse<String> r = anonymous.get(path);
      assertEquals(401, r.statusCode(), path);
      assertEquals(
          "{\"error\":\"a valid 'Authorization: Bearer <token>' header is required\"}",
          r.body().strip());
      assertEquals("Bearer realm=\"wssguard\"", r.headers().firstValue("WWW-Authenticate").get());
    }
    assertEquals(
        401,
        anonymous.send("POST", "/bans", "{\"target\":\"192.0.2.1\",\"for\":\"1m\"}").statusCode());
    assertEquals(401, anonymous.send("POST", "/reload", "").statusCode());
    assertEquals(401, anonymous.send("DELETE", "/bans/192.0.2.1", null).statusCode());
    assertEquals(
        401, new AdminClient(base(), "0".repeat(64)).get("/status").statusCode(), "wrong token");
    assertEquals(0, bansAdded());

    assertEquals(200, anonymous.get("/metrics").statusCode());
    assertEquals("{\"alive\":true}", anonymous.get("/healthz").body().strip());
    assertEquals("{\"ready\":true}", anonymous.get("/ready").body().strip());
    assertEquals(200, admin().get("/status").statusCode());
  }

  @Test
  void tokenFile_isGeneratedAtFirstStart_mode0600_andKeptAcrossRestarts() throws Exception {
    assertFalse(Files.exists(tokenFile()));
    start();
    String token = Files.readString(tokenFile());
    assertTrue(token.matches("[0-9a-f]{64}\n"), token);
    assertEquals(
        "rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(tokenFile())));
    assertEquals(
        "rwx------",
        PosixFilePermissions.toString(Files.getPosixFilePermissions(tokenFile().getParent())));
    proxy.close();
    demo.close();
    proxy = null;
    start();
    assertEquals(token, Files.readString(tokenFile()), "a restart keeps the token");
    assertEquals(200, admin().get("/status").statusCode());
  }

  @Test
  void tokenFile_thatIsASymbolicLink_isRefusedAtStart() throws Exception {
    Path target = dir.resolve("elsewhere");
    Files.writeString(target, "chosen-by-someone-else\n");
    Files.createDirectories(tokenFile().getParent());
    Files.createSymbolicLink(tokenFile(), target);
    StartupException e = assertThrows(StartupException.class, this::start);
    assertEquals(
        "admin token file "
            + tokenFile()
            + " is a symbolic link (refused: it could point anywhere)",
        e.getMessage());
    assertTrue(e.fileProblem(), "a bad token file is the configuration's fault: exit 2");
  }

  @Test
  void tokenFile_toBeProvided_thatIsMissing_isRefusedAtStart_andNotGenerated() throws Exception {
    AdminConfig provided =
        new AdminConfig(
            LOOPBACK_ANY_PORT,
            tokenFile(),
            false,
            List.of(),
            AdminConfig.WidestBan.DEFAULT,
            false,
            true);
    StartupException e =
        assertThrows(StartupException.class, () -> start(provided, new MemoryBans()));
    assertEquals(
        "admin token file "
            + tokenFile()
            + " not found (expected: the token you put there, or admin.generateToken: true to have"
            + " one generated at start)",
        e.getMessage());
    assertTrue(e.fileProblem(), "a missing token file is the configuration's fault: exit 2");
    assertFalse(Files.exists(tokenFile()), "a token to be provided is never made up");
  }

  @Test
  void wildcardBind_needsTheTokenEvenForMetrics() throws Exception {
    Files.writeString(dir.resolve("given.token"), "s3cret-token\n");
    start(
        new AdminConfig(
            new InetSocketAddress("0.0.0.0", 0), dir.resolve("given.token"), false, true),
        new MemoryBans());
    AdminClient local = new AdminClient("http://127.0.0.1:" + adminPort(), null);
    assertEquals(401, local.get("/metrics").statusCode());
    assertEquals(401, local.get("/ready").statusCode());
    assertEquals(
        200,
        new AdminClient("http://127.0.0.1:" + adminPort(), "s3cret-token")
            .get("/metrics")
            .statusCode());
  }

  @Test
  void foreignHostHeader_gets421_evenWithTheToken_butTheBindAddressLocalhostAndNamesPass()
      throws Exception {
    start(
        new AdminConfig(
            LOOPBACK_ANY_PORT,
            tokenFile(),
            List.of("admin.example.net"),
            AdminConfig.WidestBan.DEFAULT,
            false,
            true),
        new MemoryBans());
    String token = Files.readString(tokenFile()).strip();
    int port = adminPort();
    String rebound = get("/status", "attacker.example:" + port, token);
    assertEquals(421, status(rebound), rebound);
    assertEquals(
        "{\"error\":\"Host: 'attacker.example:"
            + port
            + "' is not this admin listener (expected: its address and port, e.g. 127.0.0.1:"
            + port
            + ", or localhost:"
            + port
            + ", or a name in admin.hostNames)\"}",
        body(rebound));
    assertEquals(421, status(get("/metrics", "attacker.example:" + port, null)));
    assertEquals(421, status(get("/status", "127.0.0.1:" + (port + 1), token)), "wrong port");
    assertEquals(421, status(get("/status", "127.0.0.2:" + port, token)), "other address");
    assertEquals(200, status(get("/status", "127.0.0.1:" + port, token)));
    assertEquals(200, status(get("/status", "LOCALHOST:" + port, token)));
    assertEquals(200, status(get("/status", "admin.example.net:" + port, token)));
  }

  @ParameterizedTest
  @ValueSource(strings = {"text/plain", "application/x-www-form-urlencoded", "multipart/form-data"})
  void crossSiteSimpleContentTypes_get415_andBanNothing(String type) throws Exception {
    start();
    HttpResponse<String> r =
        admin().send("POST", "/bans", "{\"target\":\"192.0.2.1\",\"for\":\"1m\"}", type);
    assertEquals(415, r.statusCode());
    assertEquals(
        "{\"error\":\"Content-Type: '" + type + "' (expected: application/json)\"}",
        r.body().strip());
    assertEquals(415, admin().send("POST", "/reload", "", type).statusCode());
    assertEquals(415, admin().send("DELETE", "/bans/192.0.2.1", null, null).statusCode());
    assertEquals("{\"bans\":[]}", admin().get("/bans").body().strip());
    assertEquals(0, bansAdded());
  }

  @Test
  void banWiderThanTheLimit_is400_andSlash0IsNever() throws Exception {
    start();
    AdminClient admin = admin();
    assertEquals(
        "{\"error\":\"target: 10.0.0.0/8 is wider than /16, the widest IPv4 ban allowed"
            + " (admin.widestBan.ipv4)\"}",
        ban(admin, "10.0.0.0/8", 400));
    assertEquals(
        "{\"error\":\"target: 2001:db8::/31 is wider than /32, the widest IPv6 ban allowed"
            + " (admin.widestBan.ipv6)\"}",
        ban(admin, "2001:db8::/31", 400));
    assertEquals(
        "{\"error\":\"target: 0.0.0.0/0 is every address (never banned)\"}",
        ban(admin, "0.0.0.0/0", 400));
    assertEquals("{\"bans\":[]}", admin.get("/bans").body().strip());
    assertTrue(ban(admin, "10.1.0.0/16", 201).contains("\"outcome\":\"made\""));
    assertTrue(ban(admin, "10.1.0.0/16", 200).contains("\"outcome\":\"extended\""));
  }

  private static String ban(AdminClient admin, String target, int expected) throws Exception {
    HttpResponse<String> r =
        admin.send("POST", "/bans", "{\"target\":\"" + target + "\",\"for\":\"10m\"}");
    assertEquals(expected, r.statusCode(), r.body());
    return r.body().strip();
  }

  @Test
  void malformedAndOversizedBodies_getAPreciseAnswer_andBanNothing() throws Exception {
    start();
    AdminClient admin = admin();
    HttpResponse<String> r =
        admin.send("POST", "/bans", "{\"target\":\"192.0.2.1\",\"for\":\"1m\",\"for\":\"2m\"}");
    assertEquals(400, r.statusCode());
    assertEquals(
        "{\"error\":\"body: not valid JSON: Duplicate field 'for' at line 1, column 39\"}",
        r.body().strip());
    r = admin.send("POST", "/bans", "{\"target\":\"192.0.2.1\",\"for\":\"999999d\"}");
    assertEquals(400, r.statusCode());
    assertEquals(
        "{\"error\":\"for: '999999d' (expected: duration like 5s, 1 s..365 d)\"}",
        r.body().strip());
    String big = "{\"target\":\"192.0.2.1\",\"for\":\"1m\",\"x\":\"" + "a".repeat(9000) + "\"}";
    r = admin.send("POST", "/bans", big);
    assertEquals(413, r.statusCode());
    assertEquals(
        "{\"error\":\"body: " + big.length() + " bytes (expected: at most 8192)\"}",
        r.body().strip());
    assertEquals(0, bansAdded());
  }

  @Test
  void routing_answers404ForUnknownPaths_and405WithAllow() throws Exception {
    start();
    AdminClient admin = admin();
    HttpResponse<String> r = admin.send("PUT", "/bans", "{}", "application/json");
    assertEquals(405, r.statusCode());
    assertEquals("GET, POST", r.headers().firstValue("Allow").get());
    assertEquals(
        "{\"error\":\"PUT /bans: method not allowed (expected: GET, POST)\"}", r.body().strip());
    assertEquals("GET", admin.send("DELETE", "/status", null).headers().firstValue("Allow").get());
    assertEquals("DELETE", admin.get("/bans/192.0.2.1").headers().firstValue("Allow").get());
    assertEquals(404, admin.get("/nothing").statusCode());
  }

  @Test
  void ready_is503WithAReason_whileEveryServerOfAGroupIsDown() throws Exception {
    start();
    assertEquals(200, anonymous().get("/ready").statusCode());
    int port = demo.address().getPort();
    demo.close();
    try (RawClient c = RawClient.connect(proxy.port("plain"), false)) {
      assertEquals(502, RawClient.status(c.request(RawClient.upgradeRequest("/"))));
    }
    HttpResponse<String> r = anonymous().get("/ready");
    assertEquals(503, r.statusCode());
    assertEquals(
        "{\"ready\":false,\"reason\":\"backend group 'demo': every server is marked down"
            + " (ws://127.0.0.1:"
            + port
            + "/)\"}",
        r.body().strip());
    assertEquals(200, anonymous().get("/healthz").statusCode(), "alive all the same");
  }

  @ParameterizedTest
  @ValueSource(strings = {"memory", "journal"})
  void neverBanSource_is409_loggedAsNoBan_andAReloadRecomputesTheList(String kind)
      throws Exception {
    Bans bans = new MemoryBans();
    if (kind.equals("journal")) {
      journal = JournalBans.open(dir.resolve("bans.journal"), List.of());
      bans = journal;
    }
    Policy trusting = trusting(List.of(Cidr.parse("127.0.0.64/26")));
    start(
        new AdminConfig(LOOPBACK_ANY_PORT, tokenFile(), false, true),
        bans,
        TestPolicies.permissive("default"),
        trusting);
    AdminClient admin = admin();
    HttpResponse<String> r =
        admin.send("POST", "/bans", "{\"target\":\"127.0.0.66\",\"for\":\"10m\"}");
    assertEquals(409, r.statusCode());
    assertEquals(
        "{\"error\":\"not banning 127.0.0.66: it overlaps never-ban 127.0.0.64/26\"}",
        r.body().strip());
    assertEquals(0, bansAdded());

    // A reload that drops the trust makes the block bannable; one that restores it lifts the ban.
    proxy
        .server
        .policies()
        .replace(TestPolicies.set(TestPolicies.permissive("default"), trusting(List.of())));
    assertEquals(
        201,
        admin.send("POST", "/bans", "{\"target\":\"127.0.0.66\",\"for\":\"10m\"}").statusCode());
    assertEquals(RawClient.CLOSED, RawClient.upgradeStatus(proxy.port("plain"), "127.0.0.66", "/"));
    proxy.server.policies().replace(TestPolicies.set(TestPolicies.permissive("default"), trusting));
    long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
    while (!admin.get("/bans").body().strip().equals("{\"bans\":[]}")
        && System.nanoTime() < deadline) {
      Thread.onSpinWait();
    }
    assertEquals("{\"bans\":[]}", admin.get("/bans").body().strip());
    try (RawClient c = RawClient.connect(proxy.port("plain"), false, "127.0.0.66")) {
      c.upgrade("/");
    }
    assertEquals(
        409,
        admin.send("POST", "/bans", "{\"target\":\"127.0.0.0/24\",\"for\":\"1m\"}").statusCode());
  }

  /**
   * A strict policy (1 handshake per 100 s, a ban at the second strike) that trusts {@code
   * proxies}.
   */
  private static Policy trusting(List<Cidr> proxies) {
    return TestPolicies.policy(
        "strict",
        Mode.ENFORCE,
        HandshakeRules.NONE,
        new PerIpLimits(new RateLimit(0.01, 1, Action.REJECT, true), null, null, null),
        PerConnectionLimits.NONE,
        new AccessRules(List.of(), List.of(), proxies, 64),
        new StrikeRules(2, Duration.ofMinutes(10), Duration.ofMinutes(10)));
  }

  @Test
  void strikesOfANeverBanSource_banNothing_andLogNoBan() throws Exception {
    start(
        new AdminConfig(LOOPBACK_ANY_PORT, tokenFile(), false, true),
        new MemoryBans(),
        TestPolicies.permissive("default"),
        trusting(List.of(Cidr.parse("127.0.0.81"))));
    for (String source : List.of("127.0.0.81", "127.0.0.82")) {
      try (RawClient c = RawClient.connect(proxy.port("plain"), false, source)) {
        c.upgrade("/strict");
      }
      for (int i = 0; i < 2; i++) {
        try (RawClient c = RawClient.connect(proxy.port("plain"), false, source)) {
          assertEquals(429, RawClient.status(c.request(RawClient.upgradeRequest("/strict"))));
        }
      }
    }
    // Two strikes each: the untrusted source is banned (and logged), the trusted proxy is not.
    assertEquals(1, bansAdded());
    assertEquals(RawClient.CLOSED, RawClient.upgradeStatus(proxy.port("plain"), "127.0.0.82", "/"));
    try (RawClient c = RawClient.connect(proxy.port("plain"), false, "127.0.0.81")) {
      c.upgrade("/");
    }
    assertEquals(
        List.of("127.0.0.82/32"),
        proxy.server.observability().bans().active().stream()
            .map(b -> b.target().toString())
            .toList());
  }

  @Test
  void twoStalledPosts_leaveMetricsAnswering_andAreCutAfterTheReadTimeout() throws Exception {
    start();
    String token = Files.readString(tokenFile()).strip();
    String head =
        "POST /bans HTTP/1.1\r\nHost: 127.0.0.1:"
            + adminPort()
            + "\r\nAuthorization: Bearer "
            + token
            + "\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"tar";
    List<Socket> stalled =
        List.of(
            new Socket(InetAddress.getLoopbackAddress(), adminPort()),
            new Socket(InetAddress.getLoopbackAddress(), adminPort()));
    try {
      for (Socket s : stalled) {
        OutputStream out = s.getOutputStream();
        out.write(head.getBytes(StandardCharsets.UTF_8));
        out.flush();
      }
      AdminClient anonymous = anonymous();
      for (int i = 0; i < 5; i++) {
        long start = System.nanoTime();
        assertEquals(200, anonymous.get("/metrics").statusCode());
        assertEquals(200, admin().get("/status").statusCode());
        long millis = (System.nanoTime() - start) / 1_000_000;
        assertTrue(millis < 2000, "metrics and status took " + millis + " ms");
      }
      for (Socket s : stalled) {
        s.setSoTimeout(20_000);
        long start = System.nanoTime();
        InputStream in = s.getInputStream();
        while (in.read() >= 0) {
          // whatever the server says before it hangs up
        }
        long millis = (System.nanoTime() - start) / 1_000_000;
        assertTrue(millis < 15_000, "the stalled request was held " + millis + " ms");
      }
      assertNotEquals(0, anonymous.get("/metrics").body().length());
    } finally {
      for (Socket s : stalled) {
        s.close();
      }
    }
  }
}
