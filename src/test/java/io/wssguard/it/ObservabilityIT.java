package io.wssguard.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.wssguard.config.AdminConfig;
import io.wssguard.config.RouteConfig;
import io.wssguard.demo.DemoEchoBackend;
import io.wssguard.policy.AccessRules;
import io.wssguard.policy.Action;
import io.wssguard.policy.HandshakeRules;
import io.wssguard.policy.Mode;
import io.wssguard.policy.PerConnectionLimits;
import io.wssguard.policy.PerIpLimits;
import io.wssguard.policy.RateLimit;
import io.wssguard.policy.StrikeRules;
import io.wssguard.server.FixedConfiguration;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.yaml.snakeyaml.Yaml;

/**
 * Metrics and the admin API of a real proxy, after real traffic from real clients: exact counts.
 */
class ObservabilityIT {
  @TempDir static Path certs;
  static DemoEchoBackend demo;
  static TestProxy proxy;
  static AdminClient admin;
  static long reloaderCreated;

  @BeforeAll
  static void start() throws Exception {
    demo = DemoEchoBackend.start(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
    String backend = "ws://127.0.0.1:" + demo.address().getPort() + "/";
    PerIpLimits strictRate =
        new PerIpLimits(new RateLimit(0.01, 1, Action.REJECT, true), null, null, null);
    proxy =
        TestProxy.builder(certs)
            .backend("demo", backend)
            .route(new RouteConfig(null, "/strict", "demo", false, 1 << 20, "strict"))
            .route("/", "demo")
            .policies(
                TestPolicies.set(
                    TestPolicies.permissive("default"),
                    TestPolicies.policy(
                        "strict",
                        Mode.ENFORCE,
                        HandshakeRules.NONE,
                        strictRate,
                        PerConnectionLimits.NONE,
                        AccessRules.NONE,
                        new StrikeRules(100, Duration.ofMinutes(10), Duration.ofMinutes(1)))))
            .admin(
                new AdminConfig(
                    new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                    certs.resolve("admin.token"),
                    true,
                    true))
            .start();
    reloaderCreated = System.currentTimeMillis() / 1000 * 1000;
    proxy.server.observability().reloads(new FixedConfiguration());
    admin = AdminClient.withTokenFrom(proxy.server.adminUrl(), certs.resolve("admin.token"));
  }

  @AfterAll
  static void stop() {
    proxy.close();
    demo.close();
  }

  private static URI plain(String path) {
    return URI.create("ws://127.0.0.1:" + proxy.port("plain") + path);
  }

  @Test
  void rejectedHandshakes_countExactlyByReason() throws Exception {
    double method = admin.value("wssguard_handshakes_total", "outcome", "method");
    double version = admin.value("wssguard_handshakes_total", "outcome", "ws_version");
    for (int i = 0; i < 3; i++) {
      try (RawClient c = RawClient.connect(proxy.port("plain"), false)) {
        assertEquals(
            405, RawClient.status(c.request(RawClient.upgradeRequest("/").replace("GET", "POST"))));
      }
    }
    try (RawClient c = RawClient.connect(proxy.port("plain"), false)) {
      String head = RawClient.upgradeRequest("/").replace("Version: 13", "Version: 8");
      assertEquals(426, RawClient.status(c.request(head)));
    }
    assertEquals(method + 3, admin.value("wssguard_handshakes_total", "outcome", "method"));
    assertEquals(version + 1, admin.value("wssguard_handshakes_total", "outcome", "ws_version"));
  }

  @Test
  void echoedMessages_countExactlyInBothDirections_afterTheConnectionCloses() throws Exception {
    Map<String, Map<Map<String, String>, Double>> before = AdminClient.parse(admin.scrape());
    JdkClient c = JdkClient.connect(plain("/echo"));
    int n = 7;
    long bytes = 0;
    for (int i = 0; i < n; i++) {
      String m = "message " + i;
      assertEquals(m, c.sendTextAndAwait(m));
      bytes += m.length();
    }
    c.ws.sendClose(1000, "done").get();
    assertEquals(1000, c.awaitClose());

    String[] up = {"route", "/", "direction", "client_to_backend"};
    String[] down = {"route", "/", "direction", "backend_to_client"};
    double upBefore = AdminClient.value(before, "wssguard_messages_total", up);
    assertEquals(upBefore + n, admin.await(upBefore + n, "wssguard_messages_total", up));
    assertEquals(
        AdminClient.value(before, "wssguard_messages_total", down) + n,
        admin.value("wssguard_messages_total", down));
    assertEquals(
        AdminClient.value(before, "wssguard_payload_bytes_total", up)
            + bytes
            + 6, // + the close payload
        admin.value("wssguard_payload_bytes_total", up));
    assertEquals(
        AdminClient.value(
                before, "wssguard_closes_received_total", "from", "client", "code", "1000")
            + 1,
        admin.value("wssguard_closes_received_total", "from", "client", "code", "1000"));
    assertEquals(
        AdminClient.value(before, "wssguard_handshakes_total", "outcome", "accepted") + 1,
        admin.value("wssguard_handshakes_total", "outcome", "accepted"));
    assertEquals(0, admin.value("wssguard_connections_open", "route", "/"));
    assertTrue(
        admin.value("wssguard_handshake_phase_seconds_count", "phase", "backend")
            > AdminClient.value(
                before, "wssguard_handshake_phase_seconds_count", "phase", "backend"));
  }

  @Test
  void tlsHandshakes_areTimed_andAbortedOnesCounted() throws Exception {
    double timed = admin.value("wssguard_handshake_phase_seconds_count", "phase", "tls");
    double failed = admin.value("wssguard_tls_handshake_failures_total", "listener", "boring");
    JdkClient c = JdkClient.connect(proxy.wss("/echo"));
    assertEquals("x", c.sendTextAndAwait("x"));
    c.ws.sendClose(1000, "").get();
    c.awaitClose();
    try (Socket s = new Socket(InetAddress.getLoopbackAddress(), proxy.port("boring"))) {
      s.getOutputStream()
          .write("not a TLS client hello\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      s.setSoTimeout(5000);
      while (s.getInputStream().read() >= 0) {
        // until the proxy hangs up
      }
    } catch (java.net.SocketException e) {
      // reset: also the end
    }
    assertEquals(
        timed + 1,
        admin.await(timed + 1, "wssguard_handshake_phase_seconds_count", "phase", "tls"));
    assertEquals(
        failed + 1,
        admin.await(failed + 1, "wssguard_tls_handshake_failures_total", "listener", "boring"));
  }

  @Test
  void postedBan_refusesTheNextHandshake_andDeleteLiftsIt() throws Exception {
    double active = admin.value("wssguard_bans_active");
    HttpResponse<String> posted =
        admin.send(
            "POST",
            "/bans",
            "{\"target\":\"127.0.0.77/32\",\"for\":\"15m\",\"reason\":\"test ban\"}");
    assertEquals(201, posted.statusCode(), posted.body());
    try (RawClient c = RawClient.connect(proxy.port("plain"), false, "127.0.0.77")) {
      c.out.write(RawClient.upgradeRequest("/").getBytes(StandardCharsets.US_ASCII));
      assertTrue(c.closedByPeer(), "closed right after accept, no answer");
    }
    assertTrue(
        admin.get("/bans").body().contains("\"target\":\"127.0.0.77/32\""),
        admin.get("/bans").body());
    assertEquals(active + 1, admin.value("wssguard_bans_active"));
    assertEquals(200, admin.send("DELETE", "/bans/127.0.0.77/32", null).statusCode());
    assertEquals(404, admin.send("DELETE", "/bans/127.0.0.77/32", null).statusCode());
    try (RawClient c = RawClient.connect(proxy.port("plain"), false, "127.0.0.77")) {
      c.upgrade("/");
    }
    assertEquals(active, admin.value("wssguard_bans_active"));
    assertEquals(
        400,
        admin.send("POST", "/bans", "{\"target\":\"127.0.0.1/8\",\"for\":\"15m\"}").statusCode());
    assertEquals(
        400,
        admin.send("POST", "/bans", "{\"target\":\"127.0.0.9\",\"for\":\"soon\"}").statusCode());
  }

  @Test
  void policyRefusals_countAsDecisionsStrikesAndRejections_andTopNamesTheSource() throws Exception {
    refuseTwice("127.0.0.78");
  }

  private static void refuseTwice(String address) throws Exception {
    double rate = admin.value("wssguard_handshakes_total", "outcome", "policy_rate");
    String[] decision = {
      "policy", "strict", "limit", "perIp.handshakes", "action", "refuse", "enforced", "true"
    };
    double decisions = admin.value("wssguard_policy_decisions_total", decision);
    double strikes = admin.value("wssguard_strikes_total", "policy", "strict");
    try (RawClient c = RawClient.connect(proxy.port("plain"), false, address)) {
      c.upgrade("/strict");
    }
    for (int i = 0; i < 2; i++) {
      try (RawClient c = RawClient.connect(proxy.port("plain"), false, address)) {
        assertEquals(429, RawClient.status(c.request(RawClient.upgradeRequest("/strict"))));
      }
    }
    assertEquals(rate + 2, admin.value("wssguard_handshakes_total", "outcome", "policy_rate"));
    assertEquals(decisions + 2, admin.value("wssguard_policy_decisions_total", decision));
    assertEquals(strikes + 2, admin.value("wssguard_strikes_total", "policy", "strict"));
    String top = admin.get("/top?by=violations&n=5").body();
    assertTrue(top.contains("\"source\":\"" + address + "\""), top);
    assertEquals(400, admin.get("/top?by=bytes").statusCode());
  }

  @Test
  void status_namesVersionListenersRoutesAndPolicies() throws Exception {
    HttpResponse<String> r = admin.get("/status");
    assertEquals(200, r.statusCode());
    String body = r.body();
    for (String expected :
        new String[] {
          "\"version\":",
          "\"uptimeSeconds\":",
          "\"route\":\"/strict\"",
          "\"openConnections\":",
          "\"names\":[",
          "\"listeners\":[\"wss://127.0.0.1:",
          "\"reloadsFailed\":"
        }) {
      assertTrue(body.contains(expected), expected + " in " + body);
    }
    assertEquals(409, admin.send("POST", "/reload", "").statusCode());
    assertEquals(404, admin.get("/nothing").statusCode());
  }

  @Test
  void processBuildCertificateAndReloadSeries_haveSaneValues() throws Exception {
    long before = System.currentTimeMillis();
    System.gc(); // GC pause series appear with the first collection
    assertTrue(admin.await(1, "jvm_gc_pause_seconds_count") >= 1, "a GC pause was recorded");
    Map<String, Map<Map<String, String>, Double>> scrape = AdminClient.parse(admin.scrape());

    Map<Map<String, String>, Double> build = scrape.get("wssguard_build_info");
    assertEquals(1, build.size(), build.toString());
    Map<String, String> labels = build.keySet().iterator().next();
    assertEquals(1.0, build.get(labels));
    assertEquals("development", labels.get("version")); // classes, not the jar: no manifest
    assertTrue(labels.get("tcnative").matches("2\\.0\\.\\d+\\.Final"), labels.toString());
    assertEquals(System.getProperty("java.version"), labels.get("java"));

    X509Certificate cert;
    try (InputStream in = Files.newInputStream(certs.resolve("cert.pem"))) {
      cert = (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
    }
    double left = (cert.getNotAfter().toInstant().toEpochMilli() - before) / 1000.0;
    for (String listener : new String[] {"boring", "jdk"}) {
      double expiry =
          AdminClient.value(
              scrape,
              "wssguard_certificate_expiry_seconds",
              "listener",
              listener,
              "name",
              "default");
      assertTrue(expiry > left - 60 && expiry <= left, listener + ": " + expiry + " vs " + left);
    }
    assertEquals(
        2, scrape.get("wssguard_certificate_expiry_seconds").size(), "one per TLS listener");

    double open = AdminClient.value(scrape, "process_files_open_files");
    double max = AdminClient.value(scrape, "process_files_max_files");
    assertTrue(open > 0 && open < max, open + " open of " + max);
    assertTrue(AdminClient.value(scrape, "jvm_memory_used_bytes", "area", "heap") > 0);
    assertTrue(AdminClient.value(scrape, "jvm_memory_max_bytes", "area", "heap") > 0);
    assertTrue(AdminClient.value(scrape, "jvm_threads_live_threads") > 1);
    assertTrue(AdminClient.value(scrape, "process_uptime_seconds") > 0);

    double lastGood =
        AdminClient.value(scrape, "wssguard_reload_last_success_timestamp_seconds") * 1000;
    assertTrue(
        lastGood >= reloaderCreated && lastGood <= System.currentTimeMillis(),
        lastGood + " not in [" + reloaderCreated + ", now]");
    assertEquals(1, AdminClient.value(scrape, "wssguard_reload_last_successful"));
  }

  @Test
  void everyMetricTheDashboardQueries_isInARealScrape() throws Exception {
    // Traffic that makes the lazily created series appear: a relay (closes both ways), a protocol
    // violation, a
    // policy refusal with a strike, a ban through the API.
    JdkClient c = JdkClient.connect(plain("/echo"));
    c.sendTextAndAwait("hello");
    c.ws.sendClose(1000, "").get();
    c.awaitClose();
    try (RawClient raw = RawClient.connect(proxy.port("plain"), false).upgrade("/")) {
      raw.send(RawClient.frame(0x81, "unmasked".getBytes(StandardCharsets.UTF_8), false));
      assertEquals(1002, raw.readCloseCode());
    }
    refuseTwice("127.0.0.79");
    tlsHandshakes_areTimed_andAbortedOnesCounted();
    admin.send("POST", "/bans", "{\"target\":\"192.0.2.1\",\"for\":\"1m\"}");

    System.gc(); // the GC pause series appear with the first collection
    admin.await(1, "jvm_gc_pause_seconds_count");

    String dashboard = Files.readString(Path.of("packaging/grafana/wssguard-dashboard.json"));
    Matcher expr = Pattern.compile("\"expr\": \"((?:[^\"\\\\]|\\\\.)*)\"").matcher(dashboard);
    Set<String> dashboardNames = new TreeSet<>();
    while (expr.find()) {
      dashboardNames.addAll(metricNames(expr.group(1)));
    }
    assertTrue(dashboardNames.size() > 25, dashboardNames.toString());
    Set<String> alertNames = new TreeSet<>();
    for (String rule : alertExpressions()) {
      alertNames.addAll(metricNames(rule));
    }
    assertTrue(alertNames.size() > 5, alertNames.toString());

    Map<String, Map<Map<String, String>, Double>> scrape = AdminClient.parse(admin.scrape());
    // A proxy without a cluster block has no fleet metrics: FleetIT checks those on a fleet node.
    dashboardNames.removeIf(n -> n.startsWith(FLEET_METRICS));
    alertNames.removeIf(n -> n.startsWith(FLEET_METRICS));
    dashboardNames.removeAll(scrape.keySet());
    assertTrue(
        dashboardNames.isEmpty(),
        "dashboard queries metrics the proxy does not export: " + dashboardNames);
    alertNames.removeAll(scrape.keySet());
    assertTrue(
        alertNames.isEmpty(), "alert rules query metrics the proxy does not export: " + alertNames);
  }

  static final String FLEET_METRICS = "wssguard_cluster_";

  /** The metric names the shipped dashboard's queries and alert rules name. */
  static Set<String> shippedMetricNames() throws IOException {
    String dashboard = Files.readString(Path.of("packaging/grafana/wssguard-dashboard.json"));
    Matcher expr = Pattern.compile("\"expr\": \"((?:[^\"\\\\]|\\\\.)*)\"").matcher(dashboard);
    Set<String> names = new TreeSet<>();
    while (expr.find()) {
      names.addAll(metricNames(expr.group(1)));
    }
    for (String rule : alertExpressions()) {
      names.addAll(metricNames(rule));
    }
    return names;
  }

  private static Set<String> metricNames(String promql) {
    Set<String> names = new TreeSet<>();
    Matcher name = Pattern.compile("\\b(?:wssguard|jvm|process)_[a-z0-9_]+").matcher(promql);
    while (name.find()) {
      names.add(name.group());
    }
    return names;
  }

  /** Every {@code expr} of packaging/prometheus/wssguard-alerts.yaml. */
  @SuppressWarnings("unchecked")
  private static List<String> alertExpressions() throws IOException {
    Map<String, Object> file;
    try (InputStream in =
        Files.newInputStream(Path.of("packaging/prometheus/wssguard-alerts.yaml"))) {
      file = new Yaml().load(in);
    }
    List<String> expressions = new ArrayList<>();
    for (Map<String, Object> group : (List<Map<String, Object>>) file.get("groups")) {
      for (Map<String, Object> rule : (List<Map<String, Object>>) group.get("rules")) {
        expressions.add(String.valueOf(rule.get("expr")));
      }
    }
    return expressions;
  }
}
