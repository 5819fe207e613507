package io.wssguard.anomaly;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.wssguard.ban.MemoryBans;
import io.wssguard.baseline.Baselines;
import io.wssguard.baseline.RouteBaseline;
import io.wssguard.event.SecurityEvents;
import io.wssguard.limit.CompiledPolicy;
import io.wssguard.limit.Enforcer;
import io.wssguard.limit.PolicyView;
import io.wssguard.policy.PolicyParser;
import io.wssguard.time.ManualTicker;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The watch on a clock the test moves: a known reference baseline (20 sources at 5 messages a
 * second) in the state directory, connections whose counters the test sets, and each window run by
 * hand.
 */
class AnomalyWatchTest {
  private static final String ROUTE = "/chat";
  private static final Instant NOON = Instant.parse("2030-01-01T12:00:00Z");
  private static final long DAY = AnomalyWatch.DEFAULT_EPOCH_MS;

  @TempDir Path dir;
  final ManualTicker ticker = new ManualTicker(NOON);
  final List<String> events = new ArrayList<>();
  final MemoryBans bans = new MemoryBans(ticker);
  final Enforcer enforcer =
      new Enforcer(
          bans,
          new SecurityEvents() {
            @Override
            public void anomaly(
                InetAddress client,
                String route,
                String policy,
                boolean enforced,
                String limit,
                String action,
                String measure,
                double value,
                String figure,
                double baseline,
                double threshold) {
              events.add(
                  String.format(
                      "%s %s %s %s %s enforced=%s %s=%.0f %s=%.1f threshold=%.0f",
                      client.getHostAddress(),
                      route,
                      policy,
                      limit,
                      action,
                      enforced,
                      measure,
                      value,
                      figure,
                      baseline,
                      threshold));
            }
          },
          ticker);

  /** A connection whose message counts the test moves. */
  static final class Counts implements WatchedConnection {
    long up;
    long down;
    int closedWith;

    @Override
    public long messagesFromClient() {
      return up;
    }

    @Override
    public long messagesFromBackend() {
      return down;
    }

    @Override
    public void close(int code, String reason) {
      closedWith = code;
    }
  }

  private static CompiledPolicy policy(Path dir, String mode, String rule) throws Exception {
    Path file = dir.resolve("p.yaml");
    Files.writeString(
        file,
        "policies:\n  chat:\n    mode: "
            + mode
            + "\n    anomaly:\n      - {name: chatty, measure: perConnection.messageRate,"
            + " above: 10x typicalP99, for: 3s, "
            + rule
            + "}\n");
    return new CompiledPolicy(PolicyParser.parseFiles(List.of(file)).policies().get("chat"));
  }

  /** 20 sources, each with one connection sending 4 to 6 messages a second for a minute. */
  static Baselines calmReference() {
    Baselines b = new Baselines();
    RouteBaseline r = b.route(ROUTE);
    for (int s = 0; s < 20; s++) {
      String source = "10.0.0." + s;
      r.handshake(source, 0, true);
      for (int w = 0; w < 60; w++) {
        r.connectionWindow(source, 4 + w % 3, 4 + w % 3);
      }
      r.closed(source, 60_000);
    }
    r.foldAll();
    return b;
  }

  /** Writes the reference file as if the epoch before {@link #NOON}'s had ended this morning. */
  private void seedReference() throws Exception {
    Path file = dir.resolve(BaselineFiles.REFERENCE);
    calmReference().write(file);
    Files.setLastModifiedTime(file, FileTime.from(NOON.minusSeconds(3600)));
  }

  private AnomalyWatch watch(Path stateDir, CompiledPolicy p) {
    PolicyView view = () -> p;
    return new AnomalyWatch(ticker, enforcer, stateDir, DAY, () -> Map.of(ROUTE, view));
  }

  /** One window: each connection sends its rate, then the watch looks. */
  private void window(AnomalyWatch w, Map<Counts, Integer> rates) {
    rates.forEach((c, rate) -> c.up += rate);
    ticker.advance(Duration.ofMillis(RouteBaseline.WINDOW_MS));
    w.tick();
  }

  @Test
  void fires_onlyForTheConnectionAboveTenTimesTheTypicalP99_forThreeWindows() throws Exception {
    seedReference();
    CompiledPolicy p = policy(dir, "enforce", "action: monitor");
    AnomalyWatch w = watch(dir, p);
    Counts calm = new Counts();
    Counts abusive = new Counts();
    w.opened(ROUTE, () -> p, null, InetAddress.getByName("127.0.0.10"), calm);
    w.opened(ROUTE, () -> p, null, InetAddress.getByName("127.0.0.50"), abusive);
    w.tick(); // both watched from here
    window(w, Map.of(calm, 5, abusive, 150));
    window(w, Map.of(calm, 6, abusive, 150));
    assertEquals(List.of(), events);
    window(w, Map.of(calm, 5, abusive, 150));
    assertEquals(
        List.of(
            "127.0.0.50 /chat chat anomaly.chatty monitor enforced=false"
                + " perConnection.messageRate=150 typicalP99=6.0 threshold=60"),
        events);
    AnomalyWatch.RuleStatus rule = w.status().get(0).rules().get(0);
    assertTrue(rule.active());
    assertEquals(1, rule.fired());
    assertEquals(List.of("127.0.0.50"), rule.flagged());
    assertEquals(0, calm.closedWith);
    assertEquals(0, abusive.closedWith);
  }

  @Test
  void aDipBelowTheThreshold_startsTheDurationAgain() throws Exception {
    seedReference();
    CompiledPolicy p = policy(dir, "enforce", "action: monitor");
    AnomalyWatch w = watch(dir, p);
    Counts bursty = new Counts();
    w.opened(ROUTE, () -> p, null, InetAddress.getByName("127.0.0.60"), bursty);
    w.tick();
    for (int rate : new int[] {150, 150, 10, 150, 150}) {
      window(w, Map.of(bursty, rate));
    }
    assertEquals(List.of(), events);
    window(w, Map.of(bursty, 150));
    assertEquals(1, events.size());
  }

  @Test
  void isInactive_andSaysWhy_untilTheReferenceHasEnoughTraffic() throws Exception {
    CompiledPolicy p = policy(dir, "enforce", "action: close");
    AnomalyWatch w = watch(null, p);
    Counts abusive = new Counts();
    w.opened(ROUTE, () -> p, null, InetAddress.getByName("127.0.0.50"), abusive);
    w.tick();
    for (int i = 0; i < 5; i++) {
      window(w, Map.of(abusive, 150));
    }
    assertEquals(List.of(), events);
    assertEquals(0, abusive.closedWith);
    AnomalyWatch.RouteStatus route = w.status().get(0);
    assertFalse(route.rules().get(0).active());
    assertEquals(new RouteBaseline.Coverage(0, 0, 0, 0), route.reference());
    assertEquals(1, route.learning().connections());
    assertEquals(5, route.learning().windows());
  }

  @Test
  void close_closesTheConnectionWithTheRulesCode() throws Exception {
    seedReference();
    CompiledPolicy p = policy(dir, "enforce", "action: close, closeCode: 4008");
    AnomalyWatch w = watch(dir, p);
    Counts abusive = new Counts();
    w.opened(ROUTE, () -> p, null, InetAddress.getByName("127.0.0.50"), abusive);
    w.tick();
    for (int i = 0; i < 3; i++) {
      window(w, Map.of(abusive, 150));
    }
    assertEquals(4008, abusive.closedWith);
    assertTrue(events.get(0).contains("anomaly.chatty close enforced=true"), events.toString());
  }

  @Test
  void ban_bansTheSource_forBanFor() throws Exception {
    seedReference();
    CompiledPolicy p = policy(dir, "enforce", "action: ban, banFor: 10m");
    AnomalyWatch w = watch(dir, p);
    Counts abusive = new Counts();
    InetAddress source = InetAddress.getByName("127.0.0.50");
    w.opened(ROUTE, () -> p, null, source, abusive);
    w.tick();
    for (int i = 0; i < 3; i++) {
      window(w, Map.of(abusive, 150));
    }
    assertTrue(bans.isBanned(source));
    assertEquals(NOON.plusSeconds(3 + 600), bans.active().get(0).until());
    assertEquals(1008, abusive.closedWith);
  }

  @Test
  void monitorModePolicy_onlyReportsWhatTheRuleWouldHaveDone() throws Exception {
    seedReference();
    CompiledPolicy p = policy(dir, "monitor", "action: ban, banFor: 10m");
    AnomalyWatch w = watch(dir, p);
    Counts abusive = new Counts();
    InetAddress source = InetAddress.getByName("127.0.0.50");
    w.opened(ROUTE, () -> p, null, source, abusive);
    w.tick();
    for (int i = 0; i < 3; i++) {
      window(w, Map.of(abusive, 150));
    }
    assertFalse(bans.isBanned(source));
    assertEquals(0, abusive.closedWith);
    assertTrue(events.get(0).contains("anomaly.chatty ban enforced=false"), events.toString());
  }

  @Test
  void endOfEpoch_makesWhatWasLearntTheReference_savedAndLoadedByTheNextWatch() throws Exception {
    CompiledPolicy p = policy(dir, "enforce", "action: monitor");
    ticker.advance(Duration.ofHours(11).plusMinutes(59)); // 23:59 UTC
    AnomalyWatch w = watch(dir, p);
    List<Counts> calm = new ArrayList<>();
    for (int s = 0; s < 20; s++) {
      Counts c = new Counts();
      calm.add(c);
      w.opened(ROUTE, () -> p, null, InetAddress.getByName("127.0.1." + s), c);
    }
    w.tick();
    for (int i = 0; i < 10; i++) {
      calm.forEach(c -> c.up += 5);
      ticker.advance(Duration.ofSeconds(1));
      w.tick();
    }
    assertFalse(w.status().get(0).reference().enough());
    ticker.advance(Duration.ofMinutes(1)); // past midnight
    w.tick();
    RouteBaseline.Coverage reference = w.status().get(0).reference();
    assertEquals(new RouteBaseline.Coverage(20, 20, 200, 0), reference);
    assertTrue(w.status().get(0).rules().get(0).active());
    assertEquals(50, w.status().get(0).rules().get(0).threshold(), 0.5);
    // The open connections start the new epoch.
    assertEquals(20, w.status().get(0).learning().connections());
    w.close();
    assertTrue(Files.exists(dir.resolve(BaselineFiles.REFERENCE)));
    Files.setLastModifiedTime(
        dir.resolve(BaselineFiles.REFERENCE), FileTime.from(ticker.instant()));
    Files.setLastModifiedTime(dir.resolve(BaselineFiles.LEARNING), FileTime.from(ticker.instant()));
    AnomalyWatch again = watch(dir, p);
    assertEquals(reference, again.status().get(0).reference());
    assertEquals(20, again.status().get(0).learning().connections());
  }

  @Test
  void aFileFromTwoEpochsAgo_hasAgedOut() throws Exception {
    Path file = dir.resolve(BaselineFiles.REFERENCE);
    calmReference().write(file);
    Files.setLastModifiedTime(file, FileTime.from(NOON.minus(Duration.ofDays(1))));
    AnomalyWatch w = watch(dir, policy(dir, "enforce", "action: monitor"));
    assertFalse(w.status().get(0).reference().enough());
  }

  @Test
  void aDamagedFile_isMovedAside_andTheWatchStartsWithout() throws Exception {
    seedReference();
    Path file = dir.resolve(BaselineFiles.REFERENCE);
    byte[] bytes = Files.readAllBytes(file);
    bytes[bytes.length - 1] ^= 1;
    Files.write(file, bytes);
    Files.setLastModifiedTime(file, FileTime.from(NOON));
    AnomalyWatch w = watch(dir, policy(dir, "enforce", "action: monitor"));
    assertEquals(new RouteBaseline.Coverage(0, 0, 0, 0), w.status().get(0).reference());
    assertFalse(Files.exists(file));
    assertTrue(Files.exists(dir.resolve(BaselineFiles.REFERENCE + ".damaged")));
  }
}
