package io.wssguard.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.wssguard.cli.Main;
import io.wssguard.config.RecordConfig;
import io.wssguard.config.RouteConfig;
import io.wssguard.demo.DemoEchoBackend;
import io.wssguard.policy.Policy;
import io.wssguard.policy.PolicyParser;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The policy lab end to end: a proxy records a {@code policy: off} route carrying 20 well-behaved
 * clients (5 messages/s) and 2 abusive ones (150/s) from distinct loopback addresses for five
 * seconds; {@code wssguard policy replay} of that recording then names exactly the two abusers
 * under the default policy, and everyone under a 3 messages/s policy ({@code --against} the
 * default: the 20 calm sources newly affected); {@code policy suggest} proposes a message rate
 * between the two populations.
 */
class PolicyLabIT {
  private static final int WELL_BEHAVED = 20;
  private static final long SECONDS = 5;

  @TempDir static Path dir;
  static Path traffic;
  static final List<String> CALM =
      IntStream.range(0, WELL_BEHAVED).mapToObj(i -> "127.0.0." + (10 + i)).toList();
  static final List<String> ABUSIVE = List.of("127.0.0.50", "127.0.0.51");

  @BeforeAll
  static void recordTraffic() throws Exception {
    traffic = dir.resolve("traffic");
    try (DemoEchoBackend demo =
            DemoEchoBackend.start(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        TestProxy proxy =
            TestProxy.builder(dir)
                .backend("demo", "ws://127.0.0.1:" + demo.address().getPort() + "/")
                .route(new RouteConfig(null, "/", "demo", false, 1 << 20, "off"))
                .record(new RecordConfig(traffic, RecordConfig.MIN_MAX_BYTES, 1.0))
                .start()) {
      try (PacedClients clients =
          new PacedClients()
              .add(proxy.port("plain"), CALM, 5, "/")
              .add(proxy.port("plain"), ABUSIVE, 150, "/")) {
        clients.send(SECONDS);
      }
      assertEquals(0, proxy.server.observability().recorder().dropped());
    }
  }

  private static String wssguard(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cli = new CommandLine(new Main());
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    int exit = cli.execute(args);
    assertEquals(0, exit, err.toString());
    return out.toString();
  }

  private static String replay(String... args) {
    List<String> all =
        new ArrayList<>(List.of("policy", "replay", "--traffic", traffic.toString()));
    all.addAll(List.of(args));
    return wssguard(all.toArray(String[]::new));
  }

  /** A policy closing any connection above 3 messages/s. */
  private static Path tightPolicy() throws Exception {
    return Files.writeString(
        dir.resolve("tight.yaml"),
        """
        policies:
          tight:
            perConnection:
              messages: {rate: 3/s, burst: 3, action: close}
        """);
  }

  private static String closedBy(String limit, List<String> sources) {
    return sources.stream()
        .sorted()
        .map(
            s ->
                "{\"source\":\""
                    + s
                    + "\",\"route\":\"/\",\"limit\":\""
                    + limit
                    + "\",\"action\":\"close\",\"count\":1}")
        .collect(Collectors.joining(",", "\"affected\":[", "]"));
  }

  @Test
  void defaultPolicy_wouldCloseExactlyTheTwoAbusiveConnections() {
    String json = replay("--policy", "policies/default.yaml", "--json");
    assertTrue(json.contains("\"connections\":22"), json);
    assertTrue(json.contains(closedBy("perConnection.messages", ABUSIVE)), json);
    assertTrue(
        json.contains(
            "\"limits\":[{\"limit\":\"perConnection.messages\",\"action\":\"close\",\"count\":2,"
                + "\"sources\":2,\"closeCode\":1008,\"strikes\":2}]"),
        json);
  }

  @Test
  void threeMessagesPerSecond_wouldCloseEveryConnection() throws Exception {
    Path tight = tightPolicy();
    List<String> everyone = new ArrayList<>(CALM);
    everyone.addAll(ABUSIVE);
    String json = replay("--policy", tight.toString(), "--json");
    assertTrue(json.contains(closedBy("perConnection.messages", everyone)), json);
  }

  @Test
  void replay_printsTheSameBytesEachTime() {
    String text = replay("--policy", "policies/default.yaml");
    assertEquals(text, replay("--policy", "policies/default.yaml"));
    assertTrue(
        text.contains("  perConnection.messages: close (1008) 2 times, 2 sources, 2 strikes\n"),
        text);
  }

  @Test
  void suggest_proposesAMessageRateBetweenTheCalmAndTheAbusive() throws Exception {
    String yaml = wssguard("policy", "suggest", "--traffic", traffic.toString());
    assertTrue(yaml.contains("# rate: typical source's p99: "), yaml);
    Path file = Files.writeString(dir.resolve("suggested.yaml"), yaml);
    Policy suggested = PolicyParser.parseFiles(List.of(file)).policies().get("suggested");
    double rate = suggested.perConnection().messages().perSecond();
    assertTrue(rate > 5 && rate < 150, "suggested " + rate + "/s:\n" + yaml);
    // Replayed on the same traffic, it leaves the calm sources alone.
    String json = replay("--policy", file.toString(), "--json");
    for (String calm : CALM) {
      assertFalse(json.contains("\"source\":\"" + calm + "\""), json);
    }
  }

  @Test
  void against_theDefaultPolicy_aThreePerSecondPolicyNamesTheTwentyNewlyAffected()
      throws Exception {
    String json =
        replay(
            "--policy", tightPolicy().toString(), "--against", "policies/default.yaml", "--json");
    assertTrue(
        json.contains(
            closedBy("perConnection.messages", CALM).replace("affected", "newlyAffected")),
        json);
    assertTrue(json.contains("\"noLongerAffected\":[],\"changed\":[]"), json);
    assertTrue(
        json.contains(
            "\"policy\":{\"name\":\"tight\",\"connections\":22,\"sourcesAffected\":22},"
                + "\"against\":{\"name\":\"default\",\"connections\":22,\"sourcesAffected\":2}"),
        json);
  }
}
