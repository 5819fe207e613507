package io.wssguard.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.wssguard.anomaly.AnomalyWatch;
import io.wssguard.baseline.Baselines;
import io.wssguard.baseline.RouteBaseline;
import io.wssguard.config.AdminConfig;
import io.wssguard.config.RouteConfig;
import io.wssguard.demo.DemoEchoBackend;
import io.wssguard.policy.PolicyParser;
import io.wssguard.policy.PolicySet;
import io.wssguard.testing.Await;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.TreeSet;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Anomaly rules on a live proxy. The baseline is seeded rather than learnt in the test: the state
 * directory holds a reference made from well-behaved traffic (20 sources at about 5 messages a
 * second), as a proxy that ran the day before would have left it; rules compare against the last
 * completed epoch, and a live epoch lasts a day. Learning live and keeping it across a restart is
 * the second test's.
 */
class AnomalyIT {
  private static final List<String> CALM =
      IntStream.range(0, 20).mapToObj(i -> "127.0.0." + (10 + i)).toList();
  private static final List<String> ABUSIVE = List.of("127.0.0.50", "127.0.0.51");

  @TempDir Path dir;
  Path state;
  DemoEchoBackend demo;

  @BeforeEach
  void backend() throws Exception {
    state = Files.createDirectory(dir.resolve("state"));
    demo = DemoEchoBackend.start(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
  }

  @AfterEach
  void stopBackend() {
    demo.close();
  }

  private PolicySet policies() throws Exception {
    Path file = dir.resolve("watched.yaml");
    Files.writeString(
        file,
        """
        policies:
          watched:
            anomaly:
              - name: chatty-connection
                measure: perConnection.messageRate
                above: 10x typicalP99
                for: 3s
                action: monitor
        """);
    return PolicyParser.parseFiles(List.of(file));
  }

  private TestProxy proxy() throws Exception {
    return TestProxy.builder(dir)
        .backend("demo", "ws://127.0.0.1:" + demo.address().getPort() + "/")
        .route(new RouteConfig(null, "/", "demo", false, 1 << 20, "watched"))
        .policies(policies())
        .stateDir(state)
        .admin(
            new AdminConfig(
                new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                dir.resolve("admin.token"),
                true,
                false))
        .start();
  }

  private String status(TestProxy proxy) throws Exception {
    return AdminClient.withTokenFrom(proxy.server.adminUrl(), dir.resolve("admin.token"))
        .get("/status")
        .body();
  }

  private static AnomalyWatch.RouteStatus route(TestProxy proxy) {
    return proxy.server.observability().anomalies().status().get(0);
  }

  /** What 20 well-behaved sources did yesterday: one connection each, 4 to 6 messages a second. */
  private void seedCalmReference() throws Exception {
    Baselines b = new Baselines();
    RouteBaseline r = b.route("/");
    for (String source : CALM) {
      r.handshake(source, 0, true);
      for (int w = 0; w < 600; w++) {
        r.connectionWindow(source, 4 + w % 3, 4 + w % 3);
      }
      r.closed(source, 600_000);
    }
    r.foldAll();
    b.write(state.resolve("baselines.wsgb"));
  }

  @Test
  void monitorRule_flagsTheTwoAbusiveSources_andNoneOfTheCalmOnes() throws Exception {
    seedCalmReference();
    try (TestProxy proxy = proxy()) {
      AnomalyWatch.RuleStatus before = route(proxy).rules().get(0);
      assertTrue(before.active(), "seeded reference has enough traffic");
      assertEquals(60, before.threshold(), 0.5); // 10x a typical p99 of 6
      try (PacedClients clients =
          new PacedClients()
              .add(proxy.port("plain"), CALM, 5, "/")
              .add(proxy.port("plain"), ABUSIVE, 150, "/")) {
        clients.send(10);
        // Each abuser went over for 3 s at least twice in 10 s; nobody else ever did.
        AnomalyWatch.RuleStatus rule = route(proxy).rules().get(0);
        assertEquals(new TreeSet<>(ABUSIVE), new TreeSet<>(rule.flagged()), rule.toString());
        assertTrue(rule.fired() >= 4, rule.toString());
        String metrics = proxy.server.observability().metrics().scrape();
        assertTrue(
            metrics.contains(
                "wssguard_anomalies_total{action=\"monitor\",enforced=\"false\",policy=\"watched\","
                    + "route=\"/\",rule=\"anomaly.chatty-connection\"} "),
            metrics);
        String status = status(proxy);
        assertTrue(
            status.contains(
                "\"rule\":\"chatty-connection\",\"measure\":\"perConnection.messageRate\","
                    + "\"above\":\"10x typicalP99\",\"forSeconds\":3,\"action\":\"monitor\","
                    + "\"active\":true,\"baseline\":"),
            status);
        ABUSIVE.forEach(a -> assertTrue(status.contains("\"" + a + "\""), status));
      }
    }
  }

  @Test
  void learntTraffic_isKeptAcrossARestart() throws Exception {
    try (TestProxy proxy = proxy()) {
      assertFalse(route(proxy).rules().get(0).active(), "nothing learnt yet");
      String status = status(proxy);
      assertTrue(
          status.contains(
              "\"reference\":{\"connections\":0,\"sources\":0,\"windows\":0,\"enough\":false}"),
          status);
      assertTrue(
          status.contains(
              "\"active\":false,\"inactive\":\"not enough traffic in the reference baseline"
                  + " yet\",\"fired\":0,\"flagged\":[]"),
          status);
      try (PacedClients clients =
          new PacedClients().add(proxy.port("plain"), CALM.subList(0, 12), 5, "/")) {
        clients.send(3);
        Await.until(
            () -> route(proxy).learning().windows() >= 12,
            Duration.ofSeconds(10),
            () -> "windows learnt: " + route(proxy).learning());
      }
    }
    assertTrue(Files.exists(state.resolve("baselines-learning.wsgb")));
    try (TestProxy again = proxy()) {
      RouteBaseline.Coverage learnt = route(again).learning();
      assertEquals(12, learnt.connections(), learnt.toString());
      assertEquals(12, learnt.sources(), learnt.toString());
      assertTrue(learnt.windows() >= 12, learnt.toString());
    }
  }
}
