package io.wssguard.fleet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.wssguard.ban.MemoryBans;
import io.wssguard.config.AdminConfig;
import io.wssguard.config.ClusterConfig;
import io.wssguard.testing.Await;
import io.wssguard.testing.RedisSentinel;
import io.wssguard.testing.RedisServer;
import io.wssguard.time.Ticker;
import java.net.InetAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Nodes that find the fleet's Redis through a real Sentinel ({@code redis-sentinel://}): bans
 * travel through the primary it names, and when that primary dies and the Sentinel promotes its
 * replica, the nodes follow it.
 */
class FleetSentinelTest {
  private static final Duration WAIT = Duration.ofSeconds(30);

  @TempDir Path dir;
  private RedisServer primary;
  private RedisServer replica;
  private RedisSentinel sentinel;
  private final List<FleetBans> nodes = new ArrayList<>();

  @BeforeEach
  void start() throws Exception {
    primary = RedisServer.start(Files.createDirectory(dir.resolve("primary")));
    replica = RedisServer.replicaOf(primary, Files.createDirectory(dir.resolve("replica")));
    sentinel =
        RedisSentinel.start(
            Files.createDirectory(dir.resolve("sentinel")), "fleet", primary.port());
    Await.until(() -> sentinel.replicas() == 1, WAIT, "the sentinel knows the replica");
  }

  @AfterEach
  void stop() throws Exception {
    nodes.forEach(FleetBans::close);
    sentinel.close();
    replica.close();
    primary.close();
  }

  private FleetBans node(String name) throws Exception {
    FleetBans node =
        FleetBans.start(
            new ClusterConfig(
                List.of(URI.create("redis-sentinel://127.0.0.1:" + sentinel.port() + "/0#fleet")),
                name,
                null,
                "test",
                ClusterConfig.DEFAULT_SYNC_INTERVAL),
            new MemoryBans(),
            AdminConfig.WidestBan.DEFAULT,
            Ticker.system());
    nodes.add(node);
    assertTrue(node.awaitLoaded(WAIT), name + " loaded the fleet's bans");
    return node;
  }

  private static void ban(FleetBans node, String ip) throws Exception {
    assertTrue(
        node.ban(InetAddress.getByName(ip), 32, Duration.ofMinutes(10), "test", List.of(), "test")
            .banned());
  }

  private static void awaitBanned(FleetBans node, String ip) throws Exception {
    Await.until(() -> node.isBanned(InetAddress.getByName(ip)), WAIT, () -> ip + " banned");
  }

  private static long bansIn(RedisServer redis) {
    return redis.hgetall("test:bans").size();
  }

  @Test
  void bansTravelThroughThePrimaryTheSentinelNames_andFollowItWhenItFailsOver() throws Exception {
    FleetBans a = node("gw-a");
    FleetBans b = node("gw-b");
    ban(a, "203.0.113.7");
    awaitBanned(b, "203.0.113.7");
    assertEquals(1L, bansIn(primary), "in the primary");
    // Replication is asynchronous: a ban the replica has not received yet is lost with the primary.
    Await.until(() -> bansIn(replica) == 1, WAIT, "the ban replicated");

    int promoted = replica.port();
    primary.kill();
    Await.until(
        () -> sentinel.primaryPort() == promoted, WAIT, "the sentinel promoted the replica");

    ban(a, "203.0.113.8");
    awaitBanned(b, "203.0.113.8");
    Await.until(
        () -> bansIn(replica) == 2,
        WAIT,
        () -> "both bans in the promoted replica: " + bansIn(replica));
    for (FleetBans n : List.of(a, b)) {
      assertTrue(n.isBanned(InetAddress.getByName("203.0.113.7")), "outlived the failover");
    }
  }
}
