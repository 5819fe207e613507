package io.wssguard.replay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.wssguard.limit.CompiledPolicy;
import io.wssguard.policy.PolicyParser;
import io.wssguard.time.ManualTicker;
import io.wssguard.traffic.ConnectionTap;
import io.wssguard.traffic.RecordedHandshake;
import io.wssguard.traffic.TrafficRecorder;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PolicyReplayTest {
  @TempDir Path dir;
  private Path traffic;

  /**
   * Five seconds of three clients at 5 messages/s and one at 150/s (from 127.0.0.50), all on route
   * {@code /}, recorded on a clock the test moves.
   */
  @BeforeEach
  void record() throws Exception {
    traffic = dir.resolve("traffic");
    Files.createDirectories(traffic);
    ManualTicker clock = new ManualTicker();
    TrafficRecorder r =
        new TrafficRecorder(
            traffic, 1 << 30, 1 << 20, 1.0, TrafficRecorder.DEFAULT_CAPACITY, clock);
    String[] sources = {"127.0.0.10", "127.0.0.11", "127.0.0.12", "127.0.0.50"};
    int[] perSecond = {5, 5, 5, 150};
    ConnectionTap[] taps = new ConnectionTap[sources.length];
    for (int i = 0; i < sources.length; i++) {
      taps[i] = r.connection(r.handshake(handshake(sources[i], null)));
    }
    int[] sent = new int[sources.length];
    for (int ms = 0; ms < 5000; ms++) {
      for (int i = 0; i < sources.length; i++) {
        while (sent[i] < (long) perSecond[i] * ms / 1000) {
          taps[i].fromClient().frame(1, 20, true, false);
          taps[i].fromBackend().frame(1, 20, true, false);
          sent[i]++;
        }
      }
      clock.advance(Duration.ofMillis(1));
    }
    for (ConnectionTap t : taps) {
      t.ended(TrafficRecorder.CLOSED_BY_CLIENT, 1000);
    }
    r.close();
    assertEquals(0, r.dropped());
  }

  private static RecordedHandshake handshake(String peer, String forwardedFor) throws Exception {
    return new RecordedHandshake(
        InetAddress.getByName(peer),
        "/",
        "/",
        101,
        null,
        null,
        forwardedFor,
        "host,upgrade,connection",
        200);
  }

  private CompiledPolicy policy(String yaml) throws Exception {
    Path file = dir.resolve("p.yaml");
    Files.writeString(file, yaml);
    return new CompiledPolicy(PolicyParser.parseFiles(List.of(file)).policies().get("try"));
  }

  private static CompiledPolicy defaultPolicy() {
    return new CompiledPolicy(PolicyParser.embeddedDefault().policies().get("default"));
  }

  @Test
  void defaultPolicy_closesOnlyTheAbusiveConnection_byPerConnectionMessages() throws Exception {
    ReplayReport report = PolicyReplay.run(traffic, defaultPolicy(), null);

    assertEquals(4, report.connections());
    assertEquals(
        List.of(new ReplayReport.Affected("127.0.0.50", "/", "perConnection.messages", "close", 1)),
        report.affected());
    assertEquals(
        List.of(new ReplayReport.LimitTotal("perConnection.messages", "close", 1, 1, 1008, 1)),
        report.limits());
  }

  @Test
  void replay_isDeterministic_byteForByte() throws Exception {
    String first = PolicyReplay.run(traffic, defaultPolicy(), null).json();
    String second = PolicyReplay.run(traffic, defaultPolicy(), null).json();
    assertEquals(first, second);
    assertTrue(first.contains("\"connections\":4"), first);
  }

  @Test
  void tightPolicy_closesEveryConnection() throws Exception {
    CompiledPolicy tight =
        policy(
"""
            policies:
              try:
                perConnection:
                  messages: {rate: 3/s, burst: 3, action: close}
""");
    ReplayReport report = PolicyReplay.run(traffic, tight, null);
    assertEquals(
        List.of(new ReplayReport.LimitTotal("perConnection.messages", "close", 4, 4, 1008, 0)),
        report.limits());
  }

  @Test
  void throttle_delaysTheAbusiveConnection_andCountsEachWait() throws Exception {
    CompiledPolicy throttle =
        policy(
"""
            policies:
              try:
                perConnection:
                  messages: {rate: 100/s, burst: 200, action: throttle}
""");
    ReplayReport report = PolicyReplay.run(traffic, throttle, null);
    assertEquals(1, report.affected().size(), report.text());
    ReplayReport.Affected a = report.affected().get(0);
    assertEquals("127.0.0.50 throttle", a.source() + " " + a.action());
    // 749 sent at 150/s: the burst of 200 runs dry after 4 s, and each of the ~150 messages after
    // that waits once for its token (the connection falls behind, as the relay would make it).
    assertTrue(a.count() >= 140 && a.count() <= 160, report.text());
  }

  @Test
  void strikesAndBans_countAsThePolicySays() throws Exception {
    CompiledPolicy strict =
        policy(
"""
            policies:
              try:
                perConnection:
                  messages: {rate: 100/s, burst: 200, action: drop, strike: true}
                strikes: {max: 2, window: 1m, ban: 1h}
""");
    ReplayReport report = PolicyReplay.run(traffic, strict, null);
    // A dropping connection is struck at most once a second; the second strike bans.
    assertTrue(
        report.affected().stream()
            .anyMatch(a -> a.action().equals("ban") && a.source().equals("127.0.0.50/32")),
        report.text());
    assertTrue(
        report.affected().stream().allMatch(a -> a.source().startsWith("127.0.0.50")),
        report.text());
  }

  @Test
  void protocolViolations_recordedAsTheProxysCloses_areStrikes_whereThePolicyCountsThem()
      throws Exception {
    Path closes = dir.resolve("closes");
    Files.createDirectories(closes);
    ManualTicker clock = new ManualTicker();
    TrafficRecorder r =
        new TrafficRecorder(closes, 1 << 30, 1 << 20, 1.0, TrafficRecorder.DEFAULT_CAPACITY, clock);
    // 127.0.0.60 breaks the protocol twice (1002, 1007); 127.0.0.61 was closed twice by the
    // recorded policy (1008, 1009), which is not a breach of the protocol.
    String[][] ends = {{"127.0.0.60", "1002"}, {"127.0.0.60", "1007"}, {"127.0.0.61", "1008"}};
    for (String[] e : ends) {
      ConnectionTap t = r.connection(r.handshake(handshake(e[0], null)));
      t.fromClient().frame(1, 20, true, false);
      clock.advance(Duration.ofMillis(10));
      t.ended(TrafficRecorder.CLOSED_BY_PROXY, Integer.parseInt(e[1]));
    }
    ConnectionTap big = r.connection(r.handshake(handshake("127.0.0.61", null)));
    big.ended(TrafficRecorder.CLOSED_BY_PROXY, 1009);
    r.close();

    for (boolean counted : new boolean[] {true, false}) {
      ReplayReport report =
          PolicyReplay.run(
              closes,
              policy(
                  "policies:\n  try:\n    strikes: {max: 2, window: 1m, ban: 1h,"
                      + " protocolViolations: "
                      + counted
                      + "}\n"),
              null);
      assertEquals(
          counted
              ? List.of(new ReplayReport.Affected("127.0.0.60/32", "/", "strikes", "ban", 1))
              : List.of(),
          report.affected(),
          report.text());
    }
  }

  @Test
  void route_selectsOnlyThatRoutesTraffic() throws Exception {
    ReplayReport report = PolicyReplay.run(traffic, defaultPolicy(), "/other");
    assertEquals(0, report.handshakes());
    assertEquals("[]", report.affected().toString());
  }

  @Test
  void trustedProxy_countsTheForwardedClient() throws Exception {
    Path proxied = dir.resolve("proxied");
    Files.createDirectories(proxied);
    ManualTicker clock = new ManualTicker();
    TrafficRecorder r = new TrafficRecorder(proxied, 1 << 30, 1 << 20, 1.0, 1024, clock);
    ConnectionTap tap = r.connection(r.handshake(handshake("127.0.0.1", "203.0.113.9")));
    for (int i = 0; i < 10; i++) {
      tap.fromClient().frame(2, 5, true, false);
    }
    r.close();
    CompiledPolicy trusting =
        policy(
"""
            policies:
              try:
                perConnection:
                  messages: {rate: 3/s, burst: 3, action: close}
                access: {trustedProxies: [127.0.0.1]}
""");
    assertEquals(
        List.of(
            new ReplayReport.Affected("203.0.113.9", "/", "perConnection.messages", "close", 1)),
        PolicyReplay.run(proxied, trusting, null).affected());
  }
}
