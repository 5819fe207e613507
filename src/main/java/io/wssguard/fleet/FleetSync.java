package io.wssguard.fleet;

import io.lettuce.core.KeyValue;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.SetArgs;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.wssguard.config.ClusterConfig;
import io.wssguard.limit.FleetLedger;
import io.wssguard.limit.SourceFleet;
import io.wssguard.observe.JsonText;
import io.wssguard.time.Ticker;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Logger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The fleet agent for what is shared beyond bans (docs/FLEET.md): strikes, the usage of {@code
 * scope: fleet} budgets, and heartbeats. It runs on the Redis link's thread; handshakes and frames
 * only touch the {@link FleetLedger}.
 *
 * <p><b>Strikes</b> are sent as soon as they are struck, in one pipelined batch per wake-up: per
 * policy and source, {@code SET <prefix>:strikes:<policy>:<source> 0 NX PX <window>} and {@code
 * INCRBY} by the strikes struck here. The key lives one strike window from the source's first
 * strike. The node whose increment carries the total over a multiple of the policy's maximum bans
 * the source — Redis runs increments one at a time, so exactly one node sees each crossing — and
 * the ban travels to the others as any ban does.
 *
 * <p><b>Budgets and heartbeats</b> are reconciled every {@code cluster.syncInterval}, in one
 * pipelined batch of a constant number of commands whatever the number of sources: this node's
 * heartbeat ({@code HSET <prefix>:nodes <node> <epoch ms>}) and everyone's ({@code HGETALL}); the
 * counts of the sources this node shares, changed ones only ({@code HSET <prefix>:usage:<node>}
 * with fields {@code <source>} = {@code "handshakes messages bytes connections"}, cumulative but
 * for the open connections; {@code PEXPIRE} so a dead node's counts vanish); and, per other live
 * node, its counts of those same sources ({@code HMGET}). What another node used since the last
 * read is charged to the source's buckets here at its next take; its open connections are added to
 * this node's count at admission.
 *
 * <p>A round trip every interval is only needed while there is something to reconcile: this node
 * shares a source and another node is alive. Otherwise (alone in the fleet, or no traffic under a
 * fleet budget here) the agent goes once per {@link #HEARTBEAT}, which keeps the heartbeat and lets
 * this node notice a joining one, and a source's first fleet-scoped handshake wakes it at once.
 * Each wake-up and round trip costs the fleet thread and Lettuce's I/O thread a fixed amount of CPU
 * whatever it carries (BENCHMARKS.md, "Fleet"), so an idle or single node pays a quarter of it.
 *
 * <p>Connections admitted beyond the fleet's maximum in the race between two syncs are closed with
 * 1008, newest first, on the nodes that come last in an order every node computes alike (a hash of
 * node and source, so no node always loses): each node keeps at most the maximum less what the
 * nodes before it hold. Everything read back is untrusted: a value that is not four bounded
 * integers, or a node name that is not one, is refused and counted.
 */
final class FleetSync {
  private static final Logger LOG = Logger.getLogger(FleetSync.class.getName());

  /** How long a source may go unused (and hold no connection) before it is no longer shared. */
  static final Duration IDLE = Duration.ofSeconds(60);

  /** How often a node with nothing to reconcile still talks to Redis (heartbeat, usage). */
  static final Duration HEARTBEAT = Duration.ofSeconds(1);

  /** Heartbeat fields older than this are deleted by whichever node reads them. */
  static final Duration FORGET_NODE = Duration.ofHours(1);

  private static final Pattern COUNTS =
      Pattern.compile("([0-9]{1,18}) ([0-9]{1,18}) ([0-9]{1,18}) ([0-9]{1,7})");
  private static final Pattern MILLIS = Pattern.compile("[0-9]{1,15}");

  /** A node of the fleet as its heartbeat shows it. */
  record NodeSeen(String node, Instant seen, boolean alive) {}

  private final RedisLink link;
  private final FleetLedger ledger;
  private final Ticker ticker;
  private final QuietLog quiet;
  private final String node;
  private final String prefix;
  private final Duration interval;

  /** A node not heard from for this long is taken as gone; its usage key expires after it too. */
  private final Duration alive;

  /** The pace with nothing to reconcile: {@link #HEARTBEAT} but in tests. */
  private final Duration heartbeat;

  /** The pace now: the interval while there is something to reconcile, else the heartbeat. */
  private volatile Duration pace;

  private final AtomicLong strikesPublished = new AtomicLong();
  private final AtomicLong syncs = new AtomicLong();
  private final AtomicLong syncFailures = new AtomicLong();
  private final AtomicLong syncNanos = new AtomicLong();
  private final AtomicLong closed = new AtomicLong();
  private final AtomicLong refused = new AtomicLong();
  private volatile long lastRttNanos;
  private volatile long lastSyncNanos;
  private volatile List<NodeSeen> nodes = List.of();
  private volatile int shared;

  // The link's thread only:
  /** Per source, what each other node had used when last read: [handshakes, messages, bytes]. */
  private final Map<SourceFleet, Map<String, long[]>> seen = new IdentityHashMap<>();

  /** Per source, the value last written to this node's usage hash. */
  private final Map<SourceFleet, String> written = new IdentityHashMap<>();

  /** Sources forgotten here whose fields still wait to be deleted from the usage hash. */
  private final List<String> gone = new ArrayList<>();

  /** The next sync, as scheduled; the link's thread only. */
  private ScheduledFuture<?> next;

  FleetSync(
      RedisLink link, ClusterConfig config, FleetLedger ledger, Ticker ticker, Duration heartbeat) {
    this.heartbeat = heartbeat;
    this.pace = config.syncInterval();
    this.link = link;
    this.ledger = ledger;
    this.ticker = ticker;
    this.quiet = new QuietLog(LOG, ticker);
    this.node = config.node();
    this.prefix = config.keyPrefix();
    this.interval = config.syncInterval();
    this.alive = max(Duration.ofSeconds(3), config.syncInterval().multipliedBy(10));
    this.lastSyncNanos = ticker.nanos();
  }

  private static Duration max(Duration a, Duration b) {
    return a.compareTo(b) >= 0 ? a : b;
  }

  void start() {
    ledger.onStrike(() -> link.run(this::sendStrikes));
    ledger.onNewSource(() -> link.run(this::hurry));
    link.run(() -> syncIn(interval));
  }

  private void tick() {
    if (link.connection() == null || sync()) { // away: look again soon, cheaply
      syncIn(interval);
    } else {
      syncIn(heartbeat);
      // Another node is alive but nothing here is shared: a first source would be.
      ledger.slow(!othersAlive().isEmpty());
    }
  }

  /** A source joined while the agent was slow: reconcile now, not at the next heartbeat. */
  private void hurry() {
    if (next != null
        && next.getDelay(TimeUnit.NANOSECONDS) > interval.toNanos()
        && next.cancel(false)) {
      syncIn(Duration.ZERO);
    }
  }

  private void syncIn(Duration delay) {
    ledger.slow(false);
    if (delay.compareTo(interval) >= 0) {
      pace = delay;
    }
    next = link.after(delay, this::tick);
  }

  // ---- strikes ----

  private record Tally(FleetLedger.Strike first, long count) {}

  /** Sends the strikes struck here since the last call, and bans where a total crossed the max. */
  void sendStrikes() {
    List<FleetLedger.Strike> struck = ledger.drainStrikes();
    StatefulRedisConnection<String, String> c = link.connection();
    if (struck.isEmpty() || c == null) {
      return; // Redis away: they counted here, and only here
    }
    Map<String, Tally> byKey = new LinkedHashMap<>();
    for (FleetLedger.Strike s : struck) {
      String key = prefix + ":strikes:" + s.policyName() + ":" + s.sourceText();
      byKey.merge(key, new Tally(s, 1), (a, b) -> new Tally(a.first(), a.count() + 1));
    }
    Map<String, RedisFuture<Long>> totals = new LinkedHashMap<>();
    List<RedisFuture<?>> all = new ArrayList<>();
    c.setAutoFlushCommands(false);
    try {
      RedisAsyncCommands<String, String> redis = c.async();
      for (Map.Entry<String, Tally> e : byKey.entrySet()) {
        all.add(
            redis.set(
                e.getKey(), "0", SetArgs.Builder.nx().px(e.getValue().first().windowMillis())));
        RedisFuture<Long> total = redis.incrby(e.getKey(), e.getValue().count());
        totals.put(e.getKey(), total);
        all.add(total);
      }
      c.flushCommands();
    } finally {
      c.setAutoFlushCommands(true);
    }
    if (!await(all, RedisLink.COMMAND_TIMEOUT.toNanos())) {
      link.unanswered(new TimeoutException("strikes not answered in time"));
      return;
    }
    link.answered();
    for (Map.Entry<String, RedisFuture<Long>> e : totals.entrySet()) {
      Tally t = byKey.get(e.getKey());
      Long after = valueOrNull(e.getValue(), "the strike count " + NoticeReader.clip(e.getKey()));
      if (after == null) {
        continue;
      }
      strikesPublished.addAndGet(t.count());
      long max = t.first().maxStrikes();
      long before = Math.max(0, after - t.count());
      if (after >= max && after / max > before / max) {
        t.first().reached(after);
      }
    }
  }

  // ---- budgets and heartbeats ----

  /**
   * One reconciliation: publish, read back, charge, close what is over; then note the time. Returns
   * whether there is something to reconcile at the next interval: a source shared here while
   * another node is alive.
   */
  boolean sync() {
    StatefulRedisConnection<String, String> c = link.connection();
    if (c == null) {
      return false;
    }
    long start = System.nanoTime();
    long now = ticker.nanos();
    Instant wall = ticker.instant();
    String mine = usageKey(node);

    List<SourceFleet> sources = new ArrayList<>();
    for (SourceFleet f : ledger.sources()) {
      if (f.connections() <= 0 && now - f.lastUsedNanos() > IDLE.toNanos()) {
        ledger.forget(f);
        seen.remove(f);
        if (written.remove(f) != null) {
          gone.add(f.source());
        }
        continue;
      }
      sources.add(f);
    }
    shared = sources.size();
    List<String> others = othersAlive();
    Map<String, String> changed = new LinkedHashMap<>();
    for (SourceFleet f : sources) {
      String value = counts(f);
      if (!value.equals(written.get(f))) {
        changed.put(f.source(), value);
      }
    }
    String[] fields = sources.stream().map(SourceFleet::source).toArray(String[]::new);

    List<RedisFuture<?>> all = new ArrayList<>();
    RedisFuture<Map<String, String>> heartbeats;
    Map<String, RedisFuture<List<KeyValue<String, String>>>> remote = new LinkedHashMap<>();
    c.setAutoFlushCommands(false);
    try {
      RedisAsyncCommands<String, String> redis = c.async();
      all.add(redis.hset(prefix + ":nodes", node, Long.toString(wall.toEpochMilli())));
      heartbeats = redis.hgetall(prefix + ":nodes");
      all.add(heartbeats);
      if (!gone.isEmpty()) { // first: a source forgotten and back since is in changed too
        all.add(redis.hdel(mine, gone.toArray(String[]::new)));
      }
      if (!changed.isEmpty()) {
        all.add(redis.hset(mine, changed));
      }
      if (!sources.isEmpty()) {
        all.add(redis.pexpire(mine, alive.toMillis()));
        for (String other : others) {
          RedisFuture<List<KeyValue<String, String>>> counts = redis.hmget(usageKey(other), fields);
          remote.put(other, counts);
          all.add(counts);
        }
      }
      c.flushCommands();
    } finally {
      c.setAutoFlushCommands(true);
    }
    if (!await(all, RedisLink.COMMAND_TIMEOUT.toNanos())) {
      syncFailures.incrementAndGet();
      link.unanswered(new TimeoutException("the fleet's sync not answered in time"));
      return false;
    }
    link.answered();
    long rtt = System.nanoTime() - start;
    gone.clear();
    for (SourceFleet f : sources) {
      if (changed.containsKey(f.source())) {
        written.put(f, changed.get(f.source()));
      }
    }
    heartbeats(valueOrNull(heartbeats, "the heartbeats hash"), wall);
    reconcile(sources, remote);
    lastRttNanos = rtt;
    syncNanos.addAndGet(System.nanoTime() - start);
    syncs.incrementAndGet();
    lastSyncNanos = ticker.nanos();
    return !sources.isEmpty() && !othersAlive().isEmpty();
  }

  private List<String> othersAlive() {
    List<String> others = new ArrayList<>();
    for (NodeSeen n : nodes) {
      if (n.alive() && !n.node().equals(node)) {
        others.add(n.node());
      }
    }
    return others;
  }

  private String usageKey(String name) {
    return prefix + ":usage:" + name;
  }

  /** {@code "handshakes messages bytes connections"}: this node's counts of {@code f}. */
  private static String counts(SourceFleet f) {
    long[] used = f.used();
    return used[0] + " " + used[1] + " " + used[2] + " " + f.established();
  }

  private void heartbeats(Map<String, String> fields, Instant wall) {
    if (fields == null) {
      return;
    }
    List<NodeSeen> now = new ArrayList<>();
    List<String> forget = new ArrayList<>();
    for (Map.Entry<String, String> e : fields.entrySet()) {
      if (!ClusterConfig.NODE.matcher(e.getKey()).matches()
          || !MILLIS.matcher(e.getValue()).matches()) {
        refuse(
            "the heartbeat " + NoticeReader.clip(e.getKey()),
            "expected a node name and epoch milliseconds, found '"
                + NoticeReader.clip(e.getValue())
                + "'");
        continue;
      }
      Instant seen = Instant.ofEpochMilli(Long.parseLong(e.getValue()));
      Duration age = Duration.between(seen, wall);
      if (age.compareTo(FORGET_NODE) > 0) {
        forget.add(e.getKey());
        continue;
      }
      now.add(new NodeSeen(e.getKey(), seen, age.compareTo(alive) <= 0));
    }
    now.sort(Comparator.comparing(NodeSeen::node));
    nodes = List.copyOf(now);
    if (!forget.isEmpty()) {
      StatefulRedisConnection<String, String> c = link.connection();
      if (c != null) {
        var unused = c.async().hdel(prefix + ":nodes", forget.toArray(String[]::new));
      }
    }
  }

  /** Charges the other nodes' usage and closes what the fleet holds above a connection budget. */
  private void reconcile(
      List<SourceFleet> sources, Map<String, RedisFuture<List<KeyValue<String, String>>>> remote) {
    Map<String, List<KeyValue<String, String>>> answers = new HashMap<>();
    for (Map.Entry<String, RedisFuture<List<KeyValue<String, String>>>> e : remote.entrySet()) {
      List<KeyValue<String, String>> values =
          valueOrNull(e.getValue(), "the usage of node " + e.getKey());
      if (values != null && values.size() == sources.size()) {
        answers.put(e.getKey(), values);
      }
    }
    for (int i = 0; i < sources.size(); i++) {
      SourceFleet f = sources.get(i);
      Map<String, long[]> last = seen.computeIfAbsent(f, k -> new HashMap<>());
      Map<String, Integer> connections = new HashMap<>();
      long[] owed = new long[3];
      for (Map.Entry<String, List<KeyValue<String, String>>> e : answers.entrySet()) {
        String other = e.getKey();
        KeyValue<String, String> kv = e.getValue().get(i);
        if (!kv.hasValue()) {
          last.remove(other);
          continue;
        }
        Matcher m = COUNTS.matcher(kv.getValue());
        if (!m.matches()) {
          refuse(
              "node " + other + "'s count of " + f.source(),
              "'" + NoticeReader.clip(kv.getValue()) + "' (expected: four integers)");
          continue;
        }
        long[] now = {
          Long.parseLong(m.group(1)), Long.parseLong(m.group(2)), Long.parseLong(m.group(3))
        };
        long[] before = last.put(other, now);
        if (before != null) {
          for (int b = 0; b < 3; b++) {
            // Less than before: that node started again (or forgot the source) and counts anew.
            owed[b] += now[b] >= before[b] ? now[b] - before[b] : now[b];
          }
        }
        connections.put(other, Integer.parseInt(m.group(4)));
      }
      last.keySet().retainAll(answers.keySet());
      f.owe(owed[0], owed[1], owed[2]);
      int remoteConnections = 0;
      for (int n : connections.values()) {
        remoteConnections += n;
      }
      f.remoteConnections(remoteConnections);
      closeOverBudget(f, connections);
    }
  }

  /**
   * Keeps at most the fleet's maximum less what the nodes before this one (in the order of {@link
   * #rank}) hold, and closes the newest of the rest.
   */
  private void closeOverBudget(SourceFleet f, Map<String, Integer> remote) {
    long max = f.connectionsMax();
    int local = f.established();
    if (max <= 0 || local <= 0 || remote.isEmpty()) {
      return;
    }
    long myRank = rank(node, f.source());
    long before = 0;
    for (Map.Entry<String, Integer> e : remote.entrySet()) {
      long theirs = rank(e.getKey(), f.source());
      if (theirs < myRank || (theirs == myRank && e.getKey().compareTo(node) < 0)) {
        before += e.getValue();
      }
    }
    long keep = Math.max(0, max - before);
    if (local > keep) {
      int n = f.closeNewest((int) (local - keep));
      if (n > 0) {
        closed.addAndGet(n);
        LOG.info(
            "fleet: closed "
                + n
                + " connection(s) of "
                + f.source()
                + " with 1008: the fleet holds more than its perIp.connections max "
                + max);
      }
    }
  }

  /** A node's place for a source: the same on every node, different from source to source. */
  static long rank(String node, String source) {
    byte[] bytes = (node + "|" + source).getBytes(StandardCharsets.UTF_8);
    long h = 0xcbf29ce484222325L; // FNV-1a, 64 bits
    for (byte b : bytes) {
      h ^= b & 0xff;
      h *= 0x100000001b3L;
    }
    return h;
  }

  // ---- helpers ----

  private static boolean await(List<RedisFuture<?>> futures, long timeoutNanos) {
    long deadline = System.nanoTime() + timeoutNanos;
    for (RedisFuture<?> f : futures) {
      try {
        f.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return false;
      } catch (ExecutionException e) {
        // answered with an error: the one command's, looked at by whoever reads it
      } catch (TimeoutException e) {
        return false;
      }
    }
    return true;
  }

  /** The answer of a completed command, or null (logged and counted) if Redis refused it. */
  private <T> T valueOrNull(RedisFuture<T> future, String what) {
    try {
      return future.get(0, TimeUnit.NANOSECONDS);
    } catch (ExecutionException e) {
      refuse(what, e.getCause() == null ? "failed" : NoticeReader.clip(e.getCause().getMessage()));
      return null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    } catch (TimeoutException e) {
      return null;
    }
  }

  private void refuse(String what, String why) {
    refused.incrementAndGet();
    quiet.warn("counts", "fleet: refused " + what + ": " + why);
  }

  // ---- visibility ----

  long strikesPublished() {
    return strikesPublished.get();
  }

  long syncs() {
    return syncs.get();
  }

  long syncFailures() {
    return syncFailures.get();
  }

  double syncSeconds() {
    return syncNanos.get() / 1e9;
  }

  /** How old the fleet's counts here are: the time since the last completed sync. */
  double syncLagSeconds() {
    return (ticker.nanos() - lastSyncNanos) / 1e9;
  }

  /** How often this node reconciles now: {@code cluster.syncInterval}, or the heartbeat's pace. */
  Duration pace() {
    return pace;
  }

  double redisRttSeconds() {
    return lastRttNanos / 1e9;
  }

  long connectionsClosed() {
    return closed.get();
  }

  long countsRefused() {
    return refused.get();
  }

  int shared() {
    return shared;
  }

  List<NodeSeen> nodes() {
    return nodes;
  }

  int nodesAlive() {
    return (int) nodes.stream().filter(NodeSeen::alive).count();
  }

  /** The {@code fleet} object of {@code /status}. */
  void status(JsonText j, boolean connected, long bans) {
    j.beginObject()
        .field("node", node)
        .field("connected", connected)
        .field("syncIntervalMillis", pace.toMillis())
        .field("syncLagMillis", Math.round(syncLagSeconds() * 1000))
        .field("redisRttMillis", lastRttNanos / 1e6)
        .field("sharedSources", shared)
        .field("strikesPublished", strikesPublished.get())
        .field("connectionsClosed", closed.get())
        .field("fleetBans", bans);
    j.key("nodes").beginArray();
    Instant wall = ticker.instant();
    for (NodeSeen n : nodes) {
      j.beginObject()
          .field("node", n.node())
          .field("lastSeen", n.seen().toString())
          .field("ageMillis", Duration.between(n.seen(), wall).toMillis())
          .field("alive", n.alive())
          .endObject();
    }
    j.endArray().endObject();
  }
}
