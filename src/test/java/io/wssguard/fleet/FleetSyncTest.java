package io.wssguard.fleet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.wssguard.ban.MemoryBans;
import io.wssguard.config.AdminConfig;
import io.wssguard.config.ClusterConfig;
import io.wssguard.event.SecurityEvents;
import io.wssguard.limit.CompiledPolicy;
import io.wssguard.limit.Enforcer;
import io.wssguard.limit.SourceBlocks;
import io.wssguard.limit.SourceKey;
import io.wssguard.limit.SourceState;
import io.wssguard.limit.SourceTable;
import io.wssguard.policy.Action;
import io.wssguard.policy.Mode;
import io.wssguard.policy.PerIpLimits;
import io.wssguard.policy.Policy;
import io.wssguard.policy.RateLimit;
import io.wssguard.policy.StrikeRules;
import io.wssguard.testing.Await;
import io.wssguard.testing.RedisServer;
import io.wssguard.time.ManualTicker;
import io.wssguard.time.Ticker;
import java.net.InetAddress;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Strikes and {@code scope: fleet} budgets between nodes in one JVM over a real redis-server,
 * driven through the proxy's own admission and enforcement classes: a crossing of the strike max
 * bans once however many nodes strike at once, a shared rate is the fleet's once the nodes have
 * synced, and the overshoot before they have is what docs/FLEET.md says. Time for the buckets is a
 * {@link ManualTicker}, so only the syncs (real, every 20 ms) are awaited.
 */
class FleetSyncTest {
  private static final Duration WAIT = Duration.ofSeconds(10);
  private static final Duration INTERVAL = Duration.ofMillis(20);

  @TempDir Path dir;
  private RedisServer redis;
  private final List<FleetBans> nodes = new ArrayList<>();

  /** One node: its fleet link, its source table and enforcer, as the proxy wires them. */
  private record Node(FleetBans fleet, SourceTable table, Enforcer enforcer) {
    /** Waits until this node completed {@code more} syncs from now. */
    void awaitSyncs(int more) throws Exception {
      long target = fleet.syncs() + more;
      Await.until(() -> fleet.syncs() >= target, WAIT, "syncs");
    }

    /** Waits until what this node used is published, and then read by {@code other}. */
    void reach(Node other) throws Exception {
      awaitSyncs(2);
      other.awaitSyncs(2);
    }
  }

  @BeforeEach
  void startRedis() throws Exception {
    redis = RedisServer.start(dir);
  }

  @AfterEach
  void stop() throws Exception {
    nodes.forEach(FleetBans::close);
    redis.close();
  }

  private Node node(String name, Ticker ticker) throws Exception {
    return node(name, ticker, FleetSync.HEARTBEAT);
  }

  private Node node(String name, Ticker ticker, Duration heartbeat) throws Exception {
    FleetBans fleet =
        FleetBans.start(
            new ClusterConfig(List.of(URI.create(redis.uri())), name, null, "test", INTERVAL),
            new MemoryBans(),
            AdminConfig.WidestBan.DEFAULT,
            ticker,
            heartbeat);
    nodes.add(fleet);
    assertTrue(fleet.awaitLoaded(WAIT));
    Enforcer enforcer = new Enforcer(fleet, SecurityEvents.NONE, ticker);
    enforcer.shareStrikes(fleet.ledger());
    SourceTable table = SourceTable.withDefaults(ticker);
    table.fleet(fleet.ledger());
    // Its first sync (there is one only once connected and loaded) has read the others' heartbeats.
    Await.until(() -> fleet.syncs() >= 1, WAIT, "the first sync");
    return new Node(fleet, table, enforcer);
  }

  /** 10 handshakes a second, in bursts of 10, shared by the fleet; 4 strikes ban. */
  private static CompiledPolicy policy() {
    PerIpLimits perIp =
        new PerIpLimits(
            new RateLimit(10, 10, Action.REJECT, false),
            null,
            null,
            null,
            List.of(),
            List.of(new PerIpLimits.FleetScope("handshakes", 1, 1)));
    return new CompiledPolicy(
        new Policy(
            "shared",
            Mode.ENFORCE,
            null,
            perIp,
            null,
            null,
            new StrikeRules(4, Duration.ofMinutes(1), Duration.ofMinutes(10)),
            "test.yaml",
            1));
  }

  /** Handshakes {@code client} gets through on {@code n} now, until the first refusal. */
  private static int handshakes(Node n, CompiledPolicy p, InetAddress client, Ticker ticker) {
    int passed = 0;
    while (passed < 1000) {
      long now = ticker.nanos();
      if (SourceBlocks.lookUp(n.table(), client, p, now).takeHandshake(p, now) != null) {
        return passed;
      }
      passed++;
    }
    return passed;
  }

  @Test
  void sharedRate_isTheFleets_onceSynced_andOvershootsByAtMostABurstPerNodeBefore()
      throws Exception {
    ManualTicker ticker = new ManualTicker();
    Node a = node("gw-a", ticker);
    Node b = node("gw-b", ticker);
    CompiledPolicy p = policy();
    InetAddress client = InetAddress.getByName("203.0.113.9");

    // Before any sync each node has a full bucket of its own: the fleet lets through one burst per
    // node, the most it overshoots with the clock standing still (docs/FLEET.md).
    int first = handshakes(a, p, client, ticker) + handshakes(b, p, client, ticker);
    assertEquals(20, first);

    // From then on, with a sync between one node's use and the other's, the fleet keeps to 10/s.
    for (int step = 0; step < 3; step++) {
      b.reach(a);
      ticker.advance(Duration.ofSeconds(1));
      int atA = handshakes(a, p, client, ticker);
      a.reach(b);
      int atB = handshakes(b, p, client, ticker);
      assertEquals(10, atA + atB, "one second's worth over both nodes, step " + step);
    }
    assertTrue(a.fleet().sharedSources() == 1 && a.fleet().nodesAlive() == 2);

    // A hostile count for the source from a node that does not exist is refused and counted.
    redis.admin(
        null,
        null,
        r -> {
          r.hset("test:nodes", "gw-x", Long.toString(ticker.instant().toEpochMilli()));
          r.hset("test:usage:gw-x", "203.0.113.9", "1 2 x 4");
        });
    Await.until(() -> a.fleet().countsRefused() > 0, WAIT, "the bad count refused");
  }

  @Test
  void aNodeWithNothingToReconcile_syncsAtTheHeartbeatsPace_andItsFirstSharedSourceHurriesIt()
      throws Exception {
    ManualTicker ticker = new ManualTicker();
    Duration heartbeat = Duration.ofSeconds(60); // far beyond WAIT: only a hurried sync is seen
    Node a = node("gw-a", ticker, heartbeat);
    Await.until(() -> a.fleet().syncIntervalSeconds() == 60, WAIT, "a alone, at the slow pace");
    Node b = node("gw-b", ticker, heartbeat);
    Await.until(
        () -> b.fleet().syncIntervalSeconds() == 60, WAIT, "b shares nothing: the slow pace");
    assertEquals(2, b.fleet().nodesAlive(), "b read a's heartbeat at its first sync");

    long before = b.fleet().syncs();
    handshakes(b, policy(), InetAddress.getByName("203.0.113.9"), ticker);
    Await.until(() -> b.fleet().syncs() > before, WAIT, "b's first shared source syncs at once");
    Await.until(
        () -> b.fleet().syncIntervalSeconds() == INTERVAL.toNanos() / 1e9,
        WAIT,
        "b shares a source with a live node: every syncInterval");
    assertEquals(60, a.fleet().syncIntervalSeconds(), "a shares nothing yet: still slow");
  }

  @Test
  void strikesOnTwoNodesAtOnce_banTheSourceOnce_andFurtherStrikesDoNotBanAgain() throws Exception {
    Ticker ticker = Ticker.system();
    Node a = node("gw-a", ticker);
    Node b = node("gw-b", ticker);
    CompiledPolicy p = policy();
    InetAddress client = InetAddress.getByName("203.0.113.20");

    // Two strikes on each node, both at once: under each node's own four, four in the fleet.
    CountDownLatch go = new CountDownLatch(1);
    List<Thread> threads = new ArrayList<>();
    for (Node n : List.of(a, b)) {
      SourceState source = n.table().get(SourceKey.of(client, 64), ticker.nanos());
      Thread t =
          new Thread(
              () -> {
                try {
                  go.await();
                } catch (InterruptedException e) {
                  return;
                }
                n.enforcer().strike(source, p, client, "test");
                n.enforcer().strike(source, p, client, "test");
              });
      threads.add(t);
      t.start();
    }
    go.countDown();
    for (Thread t : threads) {
      t.join(WAIT.toMillis());
    }
    Await.until(
        () -> a.fleet().isBanned(client) && b.fleet().isBanned(client), WAIT, "banned on both");
    Await.until(
        () -> a.fleet().strikesPublished() + b.fleet().strikesPublished() == 4,
        WAIT,
        "four strikes counted");
    assertEquals(1, a.fleet().bansPublished() + b.fleet().bansPublished(), "banned once");

    // Strikes up to the next multiple of four, on two more nodes (each under its own four), find
    // the source banned already: no second ban.
    Node c = node("gw-c", ticker);
    Node d = node("gw-d", ticker);
    for (Node n : List.of(c, c, c, d)) {
      SourceState source = n.table().get(SourceKey.of(client, 64), ticker.nanos());
      n.enforcer().strike(source, p, client, "test");
    }
    Await.until(
        () -> c.fleet().strikesPublished() == 3 && d.fleet().strikesPublished() == 1,
        WAIT,
        "four more strikes counted");
    long bans = 0;
    for (Node n : List.of(a, b, c, d)) {
      bans += n.fleet().bansPublished();
    }
    assertEquals(1, bans, "still the one ban");
  }

  @Test
  void aSlowRedis_skipsARound_butKeepsTheConnectionAndItsSubscription() throws Exception {
    Node a = node("gw-a", new ManualTicker());
    long before = connectionsReceived();
    // Redis holds every client's commands for longer than one batch may wait for its answer.
    long pause = RedisLink.COMMAND_TIMEOUT.toMillis() + 500;
    redis.admin(null, null, r -> r.clientPause(pause));
    a.awaitSyncs(3);
    assertTrue(a.fleet().connected());
    // Two connections are this test's own (the pause, the count); a reconnect would add two more.
    assertEquals(before + 2, connectionsReceived(), "the node reconnected");
  }

  private long connectionsReceived() {
    long[] n = {0};
    redis.admin(
        null,
        null,
        r ->
            r.info("stats")
                .lines()
                .filter(l -> l.startsWith("total_connections_received:"))
                .forEach(l -> n[0] = Long.parseLong(l.substring(l.indexOf(':') + 1).trim())));
    return n[0];
  }
}
