package io.wssguard.fleet;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.wssguard.ban.MemoryBans;
import io.wssguard.config.AdminConfig;
import io.wssguard.config.ClusterConfig;
import io.wssguard.limit.CompiledPolicy;
import io.wssguard.limit.SourceBlocks;
import io.wssguard.limit.SourceTable;
import io.wssguard.policy.Action;
import io.wssguard.policy.CountLimit;
import io.wssguard.policy.Mode;
import io.wssguard.policy.PerIpLimits;
import io.wssguard.policy.Policy;
import io.wssguard.policy.RateLimit;
import io.wssguard.testing.RedisServer;
import io.wssguard.time.Ticker;
import java.net.InetAddress;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The fleet's figures for BENCHMARKS.md ("Fleet"), on a real redis-server and the real fleet
 * classes, two nodes in one JVM (no HTTP, no TLS: what the fleet itself adds):
 *
 * <ol>
 *   <li>ban propagation: 1,000 bans made one after another on node A, each timed from {@code ban()}
 *       until node B's ban list holds it (what B's handshakes ask): p50, p99, max;
 *   <li>Redis commands per second per node while the two nodes admit 1,000 handshakes a second
 *       between them (500 each, from 200 sources, every per-IP limit {@code scope: fleet}), over
 *       {@code fleet.bench.seconds} (default 20), from Redis's {@code INFO commandstats}.
 * </ol>
 *
 * Not a test (its name keeps it out of {@code mvn test}); run it with {@code mvn -o test
 * -Dtest=FleetBenchmark -Dsurefire.failIfNoSpecifiedTests=false}. It prints its report.
 */
class FleetBenchmark {
  private static final int BANS = 1000;
  private static final int SOURCES = 200;
  private static final int HANDSHAKES_PER_SECOND = 1000;

  @TempDir Path dir;
  private RedisServer redis;
  private final List<FleetBans> nodes = new ArrayList<>();

  @AfterEach
  void stop() throws Exception {
    nodes.forEach(FleetBans::close);
    if (redis != null) {
      redis.close();
    }
  }

  private FleetBans node(String name) throws Exception {
    FleetBans fleet =
        FleetBans.start(
            new ClusterConfig(
                List.of(URI.create(redis.uri())),
                name,
                null,
                "bench",
                ClusterConfig.DEFAULT_SYNC_INTERVAL),
            new MemoryBans(),
            AdminConfig.WidestBan.DEFAULT,
            Ticker.system());
    nodes.add(fleet);
    assertTrue(fleet.awaitLoaded(Duration.ofSeconds(10)));
    return fleet;
  }

  @Test
  void report() throws Exception {
    redis = RedisServer.start(dir);
    FleetBans a = node("bench-a");
    FleetBans b = node("bench-b");
    StringBuilder report = new StringBuilder("fleet benchmark (two nodes in one JVM, loopback)\n");

    long[] took = new long[BANS];
    for (int i = 0; i < BANS; i++) {
      InetAddress ip = InetAddress.getByAddress(new byte[] {10, 9, (byte) (i >> 8), (byte) i});
      long t0 = System.nanoTime();
      a.ban(ip, 32, Duration.ofMinutes(10), "bench", List.of(), "test");
      long deadline = t0 + TimeUnit.SECONDS.toNanos(5);
      while (!b.isBanned(ip) && System.nanoTime() < deadline) {
        Thread.onSpinWait();
      }
      took[i] = System.nanoTime() - t0;
      assertTrue(b.isBanned(ip), "ban " + i + " reached B");
    }
    Arrays.sort(took);
    report.append(
        String.format(
            Locale.ROOT,
            "ban propagation over %d bans: p50 %.2f ms, p99 %.2f ms, max %.2f ms%n",
            BANS,
            took[BANS / 2] / 1e6,
            took[BANS * 99 / 100] / 1e6,
            took[BANS - 1] / 1e6));

    int seconds = Integer.getInteger("fleet.bench.seconds", 20);
    Map<String, Long> before = commandCalls();
    List<SourceTable> tables = List.of(table(a), table(b));
    CompiledPolicy p = policy();
    List<InetAddress> sources = new ArrayList<>();
    for (int i = 0; i < SOURCES; i++) {
      sources.add(InetAddress.getByAddress(new byte[] {10, 8, 0, (byte) i}));
    }
    long start = System.nanoTime();
    long admitted = 0;
    long period = TimeUnit.SECONDS.toNanos(1) / HANDSHAKES_PER_SECOND;
    for (long n = 0; n < (long) seconds * HANDSHAKES_PER_SECOND; n++) {
      long due = start + n * period;
      while (System.nanoTime() < due) {
        Thread.onSpinWait();
      }
      SourceTable t = tables.get((int) (n % 2));
      InetAddress client = sources.get((int) (n % SOURCES));
      long now = System.nanoTime();
      SourceBlocks blocks = SourceBlocks.lookUp(t, client, p, now);
      if (blocks.takeHandshake(p, now) == null && blocks.openConnection(p) == null) {
        admitted++;
        blocks.close(t);
      }
    }
    double elapsed = (System.nanoTime() - start) / 1e9;
    Map<String, Long> after = commandCalls();
    long total = 0;
    StringBuilder per = new StringBuilder();
    for (Map.Entry<String, Long> e : new TreeMap<>(after).entrySet()) {
      long calls = e.getValue() - before.getOrDefault(e.getKey(), 0L);
      if (calls > 0 && !e.getKey().equals("info") && !e.getKey().equals("hello")) {
        total += calls;
        per.append(String.format(Locale.ROOT, " %s %.1f/s", e.getKey(), calls / elapsed / 2));
      }
    }
    report.append(
        String.format(
            Locale.ROOT,
            "%d handshakes/s over both nodes for %.1f s (%d admitted, %d sources, every per-IP"
                + " limit scope: fleet, sync every %d ms): Redis commands per node %.1f/s:%s%n",
            HANDSHAKES_PER_SECOND,
            elapsed,
            admitted,
            SOURCES,
            ClusterConfig.DEFAULT_SYNC_INTERVAL.toMillis(),
            total / elapsed / 2,
            per));
    System.out.print(report);
  }

  private static SourceTable table(FleetBans fleet) {
    SourceTable t = SourceTable.withDefaults(Ticker.system());
    t.fleet(fleet.ledger());
    return t;
  }

  /** Every per-IP limit shared, all far above the load: each check runs, none trips. */
  private static CompiledPolicy policy() {
    PerIpLimits perIp =
        new PerIpLimits(
            new RateLimit(100_000, 200_000, Action.REJECT, true),
            new CountLimit(100_000, Action.REJECT, true),
            new RateLimit(1_000_000, 2_000_000, Action.CLOSE, true),
            new RateLimit(1 << 30, 1L << 31, Action.THROTTLE, false),
            List.of(),
            List.of(
                new PerIpLimits.FleetScope("handshakes", 1, 1),
                new PerIpLimits.FleetScope("connections", 1, 1),
                new PerIpLimits.FleetScope("messages", 1, 1),
                new PerIpLimits.FleetScope("bytes", 1, 1)));
    return new CompiledPolicy(
        new Policy("bench", Mode.ENFORCE, null, perIp, null, null, null, "bench", 1));
  }

  /** {@code INFO commandstats}: calls per command since Redis started. */
  private Map<String, Long> commandCalls() {
    Map<String, Long> calls = new HashMap<>();
    redis.admin(
        null,
        null,
        r -> {
          for (String line : r.info("commandstats").split("\r?\n", -1)) {
            // cmdstat_hset:calls=12,usec=...
            if (line.startsWith("cmdstat_")) {
              String name = line.substring(8, line.indexOf(':'));
              String rest = line.substring(line.indexOf("calls=") + 6);
              calls.put(name, Long.parseLong(rest.substring(0, rest.indexOf(','))));
            }
          }
        });
    return calls;
  }
}
