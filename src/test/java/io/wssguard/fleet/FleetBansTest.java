package io.wssguard.fleet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lettuce.core.KillArgs;
import io.wssguard.ban.Bans;
import io.wssguard.ban.MemoryBans;
import io.wssguard.config.AdminConfig;
import io.wssguard.config.ClusterConfig;
import io.wssguard.net.Cidr;
import io.wssguard.testing.Await;
import io.wssguard.testing.CapturedLog;
import io.wssguard.testing.RedisServer;
import io.wssguard.time.Ticker;
import java.net.InetAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.logging.Level;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Nodes of one fleet in one JVM, each with bans of its own in memory, sharing them through a real
 * redis-server: what travels, what is refused, and what a Redis outage or hang does (nothing to the
 * caller of {@link FleetBans#ban}).
 */
class FleetBansTest {
  private static final Duration WAIT = Duration.ofSeconds(10);

  @TempDir Path dir;
  private RedisServer redis;
  private RedisServer replica;
  private final List<FleetBans> nodes = new ArrayList<>();

  @BeforeEach
  void startRedis() throws Exception {
    redis = RedisServer.start(dir);
  }

  @AfterEach
  void stop() throws Exception {
    nodes.forEach(FleetBans::close);
    redis.close();
    if (replica != null) {
      replica.close();
    }
  }

  private FleetBans node(String name, Bans local) throws Exception {
    FleetBans node = join(name, local, List.of(URI.create(redis.uri())));
    assertTrue(node.awaitLoaded(WAIT), name + " loaded the fleet's bans");
    return node;
  }

  private FleetBans join(String name, Bans local, List<URI> uris) throws Exception {
    FleetBans node =
        FleetBans.start(
            new ClusterConfig(uris, name, null, "test", ClusterConfig.DEFAULT_SYNC_INTERVAL),
            local,
            AdminConfig.WidestBan.DEFAULT,
            Ticker.system());
    nodes.add(node);
    return node;
  }

  private FleetBans node(String name) throws Exception {
    return node(name, new MemoryBans());
  }

  private static InetAddress ip(String text) throws Exception {
    return InetAddress.getByName(text);
  }

  private static void ban(FleetBans node, String ip) throws Exception {
    assertTrue(node.ban(ip(ip), 32, Duration.ofMinutes(10), "test", List.of(), "test").banned());
  }

  private static void awaitBanned(FleetBans node, String ip, boolean banned) throws Exception {
    Await.until(() -> node.isBanned(ip(ip)) == banned, WAIT, () -> ip + " banned: " + banned);
  }

  @Test
  void banAndUnban_reachTheOtherNodes_withTheirOrigin_andAreNotSentOnAgain() throws Exception {
    FleetBans a = node("gw-a");
    FleetBans b = node("gw-b");
    FleetBans c = node("gw-c");

    ban(a, "203.0.113.7");
    awaitBanned(b, "203.0.113.7", true);
    awaitBanned(c, "203.0.113.7", true);
    Cidr target = Cidr.parse("203.0.113.7/32");
    assertEquals("gw-a", b.origin(target));
    assertEquals("gw-a", a.origin(target));

    assertTrue(b.unban(target));
    awaitBanned(a, "203.0.113.7", false);
    awaitBanned(c, "203.0.113.7", false);

    Await.until(() -> c.bansReceived() == 2, WAIT, () -> "c applied the ban and the unban");
    assertEquals(1, a.bansPublished());
    assertEquals(1, b.bansPublished(), "b sent its unban, not the ban it received");
    assertEquals(0, c.bansPublished());
    assertEquals(1, a.bansReceived(), "a heard b's unban; its own ban's echo is not counted");
    assertEquals(Map.of(), bansInRedis());
    String record = liftedInRedis().get("203.0.113.7/32");
    assertTrue(record != null && record.contains("\"origin\":\"gw-b\""), "lifted: " + record);
  }

  @Test
  void aBanTheReplicaNeverGot_isWrittenBackToItAfterTheFailover() throws Exception {
    replica = RedisServer.replicaOf(redis, Files.createDirectory(dir.resolve("replica")));
    List<URI> primaryThenReplica = List.of(URI.create(redis.uri()), URI.create(replica.uri()));
    FleetBans a = join("gw-a", new MemoryBans(), primaryThenReplica);
    FleetBans b = join("gw-b", new MemoryBans(), primaryThenReplica);
    assertTrue(a.awaitLoaded(WAIT) && b.awaitLoaded(WAIT));
    ban(a, "203.0.113.70");
    awaitBanned(b, "203.0.113.70", true);
    Await.until(() -> replica.hgetall("test:bans").size() == 1, WAIT, "the first ban replicated");
    // Replication is asynchronous; here it stops for good, so the next ban is certain to be one the
    // replica never got when the primary dies.
    replica.admin(null, null, r -> r.replicaofNoOne());
    ban(a, "203.0.113.71");
    awaitBanned(b, "203.0.113.71", true);

    try (CapturedLog log = CapturedLog.of(FleetBans.class.getName())) {
      redis.kill();
      Await.until(
          () -> replica.hgetall("test:bans").containsKey("203.0.113.71/32"),
          WAIT,
          () -> "written back to the replica that took over: " + replica.hgetall("test:bans"));
      assertTrue(
          log.atLeast(Level.WARNING).stream()
              .anyMatch(r -> r.getMessage().contains("with no record of their lifting")),
          "an operator is told the store lost bans");
    }
    assertTrue(replica.hgetall("test:bans").get("203.0.113.71/32").contains("\"origin\":\"gw-a\""));
    for (FleetBans n : List.of(a, b)) {
      assertTrue(n.isBanned(ip("203.0.113.70")) && n.isBanned(ip("203.0.113.71")));
    }
    FleetBans late = join("gw-late", new MemoryBans(), List.of(URI.create(replica.uri())));
    assertTrue(late.awaitLoaded(WAIT));
    assertTrue(late.isBanned(ip("203.0.113.71")), "a node that starts now has it");
  }

  @Test
  void aBanLiftedWhileANodeWasAway_isLiftedThereByItsRecord_andEndedRecordsGo() throws Exception {
    FleetBans a = node("gw-a");
    ban(a, "203.0.113.60");
    Await.until(() -> bansInRedis().containsKey("203.0.113.60/32"), WAIT, "a's ban in Redis");
    // What node gw-c's unban leaves in Redis, its message missed by a.
    Instant now = Instant.now();
    redis.admin(
        null,
        null,
        r -> {
          r.hdel("test:bans", "203.0.113.60/32");
          r.hset(
              "test:bans:lifted",
              Map.of(
                  "203.0.113.60/32",
                  BanNotice.unban(Cidr.parse("203.0.113.60/32"), now.plusSeconds(600), "gw-c")
                      .json(),
                  "203.0.113.61/32",
                  BanNotice.unban(Cidr.parse("203.0.113.61/32"), now.minusSeconds(1), "gw-c")
                      .json()));
          r.clientKill(KillArgs.Builder.typePubsub()); // a reconnects and reads the hashes again
        });

    awaitBanned(a, "203.0.113.60", false);
    Await.until(
        () -> liftedInRedis().keySet().equals(Set.of("203.0.113.60/32")),
        WAIT,
        () -> "the ended record deleted: " + liftedInRedis());
    assertEquals(Map.of(), bansInRedis(), "not written back");
  }

  private Map<String, String> bansInRedis() {
    return redis.hgetall("test:bans");
  }

  private Map<String, String> liftedInRedis() {
    return redis.hgetall("test:bans:lifted");
  }

  @Test
  void close_afterWork_logsNoWarning() throws Exception {
    FleetBans a = node("gw-a");
    ban(a, "203.0.113.40");
    try (CapturedLog log = CapturedLog.of("")) {
      nodes.remove(a);
      a.close(); // a clean stop: an operator reads any warning here as trouble
      assertEquals(
          List.of(),
          log.atLeast(Level.WARNING).stream()
              .map(r -> r.getLoggerName() + ": " + r.getMessage())
              .toList());
    }
  }

  @Test
  void aNodeStartedLater_hasTheFleetsBans_onceLoaded() throws Exception {
    FleetBans a = node("gw-a");
    ban(a, "203.0.113.8");
    Await.until(() -> a.bansPublished() == 1, WAIT, "a's ban in Redis");

    FleetBans late = node("gw-late");
    assertTrue(late.isBanned(ip("203.0.113.8")), "before awaitLoaded returned");
    assertEquals("gw-a", late.origin(Cidr.parse("203.0.113.8/32")));
  }

  @Test
  void hostileEntriesAndMessages_areRefused_andCounted() throws Exception {
    FleetBans a = node("gw-a");
    String everything =
        "{\"op\":\"ban\",\"target\":\"0.0.0.0/0\",\"until\":\"2999-01-01T00:00:00Z\","
            + "\"reason\":\"x\",\"origin\":\"evil\"}";
    redis.admin(
        null,
        null,
        r -> {
          r.hset("test:bans", "0.0.0.0/0", everything);
          r.publish("test:bans:changes", everything);
          r.publish("test:bans:changes", "not json");
        });
    Await.until(() -> a.bansRefused() == 2, WAIT, () -> "refused: " + a.bansRefused());
    FleetBans late = node("gw-late");
    assertEquals(1, late.bansRefused(), "the hash entry, at load");
    assertFalse(a.isBanned(ip("198.51.100.1")));
    assertFalse(late.isBanned(ip("198.51.100.1")));
    assertEquals(0, a.bansReceived());
  }

  @Test
  void aNeverBanBlockHere_isNotBannedFromElsewhere() throws Exception {
    MemoryBans guarded = new MemoryBans();
    guarded.neverBan(List.of(Cidr.parse("203.0.113.0/24")));
    FleetBans a = node("gw-a");
    FleetBans b = node("gw-b", guarded);
    ban(a, "203.0.113.9");
    ban(a, "198.51.100.9");
    awaitBanned(b, "198.51.100.9", true);
    assertFalse(b.isBanned(ip("203.0.113.9")));
    assertEquals(1, b.bansRefused());
  }

  @Test
  void redisDown_banHoldsHere_isSentWhenItIsBack_andWhatWasMissedIsLoaded() throws Exception {
    FleetBans a = node("gw-a");
    FleetBans b = node("gw-b");
    ban(a, "203.0.113.20");
    awaitBanned(b, "203.0.113.20", true);

    redis.kill();
    Await.until(() -> !a.connected() && !b.connected(), WAIT, "both see Redis gone");
    ban(a, "203.0.113.21");
    assertTrue(a.isBanned(ip("203.0.113.21")), "enforced here at once");
    assertTrue(b.unban(Cidr.parse("203.0.113.20/32")), "lifted on b while Redis is away");

    redis.start();
    Await.until(() -> a.connected() && b.connected(), WAIT, "both reconnected");
    awaitBanned(b, "203.0.113.21", true);
    awaitBanned(a, "203.0.113.20", false);
  }

  @Test
  void ban_neverWaits_whileRedisHangs() throws Exception {
    FleetBans a = node("gw-a");
    FleetBans b = node("gw-b");
    redis.pause();
    long start = System.nanoTime();
    for (int i = 1; i <= 50; i++) {
      ban(a, "198.51.100." + i);
    }
    long tookMillis = (System.nanoTime() - start) / 1_000_000;
    assertTrue(tookMillis < 1000, "50 bans while Redis hangs took " + tookMillis + " ms");
    assertTrue(a.isBanned(ip("198.51.100.50")));
    redis.resume();
    awaitBanned(b, "198.51.100.50", true);
  }

  @Test
  void noRedisAtStart_awaitLoadedSaysSo_bansHoldHere_andAreSentOnceItAnswers() throws Exception {
    FleetBans a = node("gw-a");
    redis.kill();
    FleetBans b = join("gw-b", new MemoryBans(), List.of(URI.create(redis.uri())));
    assertFalse(b.awaitLoaded(Duration.ofMillis(1500)), "no Redis: the start wait ends");
    ban(b, "203.0.113.30");
    assertTrue(b.isBanned(ip("203.0.113.30")));

    redis.start();
    assertTrue(b.awaitLoaded(WAIT));
    awaitBanned(a, "203.0.113.30", true);
  }
}
