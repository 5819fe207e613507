package io.wssguard.fleet;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisChannelHandler;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisConnectionStateListener;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.metrics.CommandLatencyRecorder;
import io.lettuce.core.protocol.ProtocolVersion;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import io.netty.util.HashedWheelTimer;
import io.wssguard.config.SentinelSet;
import io.wssguard.net.Cidr;
import io.wssguard.time.Ticker;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The fleet's one way to Redis: a command connection and a subscription to the changes channel,
 * driven by one thread of its own ({@code wssguard-fleet}). Nothing else in the proxy ever waits
 * for Redis: {@link #send} only queues, and every command runs on that thread with a short timeout,
 * so a slow or dead Redis delays the fleet's bookkeeping, never a handshake or a frame.
 *
 * <p>Reconnecting is done here rather than by Lettuce, because a reconnect means more than a new
 * socket: it re-subscribes first (so nothing published from then on is missed), sends what queued
 * up meanwhile, then reloads the bans and lifted hashes whole (so what was missed before is caught
 * up), in that order. While Redis is away the queue keeps the newest notice per target, bounded;
 * {@link #RETRY} after a failure the URIs are tried again, in order.
 *
 * <p>Redis commands used here: HSET, HDEL, HGETALL, PUBLISH, SUBSCRIBE, and PING and AUTH (SELECT
 * for a database other than 0) when connecting; {@link FleetSync} adds HMGET, PEXPIRE, SET and
 * INCRBY; docs/FLEET.md turns them into an ACL user.
 */
final class RedisLink implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(RedisLink.class.getName());

  static final Duration RETRY = Duration.ofSeconds(1);
  static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(2);

  /** Batches in a row left unanswered on an open connection before it counts as lost. */
  static final int SLOW_BATCHES = 3;

  /** How often the hashes are read again while connected: a safety net, not the fast path. */
  static final Duration RESYNC = Duration.ofSeconds(30);

  /** Notices queued while Redis is away, at most (the oldest goes first beyond it). */
  static final int MAX_QUEUED = 100_000;

  /** What the link reports; every call on the link's own thread. */
  interface Listener {
    /** A message on the changes channel (any node's, this one's included), as read. */
    void received(String message);

    /**
     * The whole bans hash and lifted hash, read after a (re)connect and every {@link #RESYNC};
     * returns what to change in them.
     */
    Repairs loaded(Map<String, String> bans, Map<String, String> lifted);

    /** {@code notice} is in Redis now and was published. */
    void sent(BanNotice notice);
  }

  /**
   * What a node changes in the hashes after reading them.
   *
   * @param endedBans fields of the bans hash to delete: bans that have ended
   * @param endedLifts fields of the lifted hash to delete: records whose ban would have ended, or
   *     that a later ban of the same block replaced
   * @param restored bans the hash lost (neither there nor lifted) that this node still holds, field
   *     to value, to write back
   */
  record Repairs(List<String> endedBans, List<String> endedLifts, Map<String, String> restored) {}

  private final List<RedisURI> uris;
  private final String bansKey;
  private final String liftedKey;
  private final String channel;
  private final Listener listener;
  private final QuietLog quiet;
  private final ClientResources resources;
  private final HashedWheelTimer timer;
  private final List<RedisClient> clients = new ArrayList<>();
  private final ScheduledThreadPoolExecutor thread;
  private final AtomicLong published = new AtomicLong();

  // The link's thread only:
  private final LinkedHashMap<Cidr, BanNotice> queue = new LinkedHashMap<>();
  private StatefulRedisConnection<String, String> commands;
  private StatefulRedisPubSubConnection<String, String> subscription;
  private String connectedTo;
  private boolean closed;

  private volatile boolean connected;
  private int unansweredInARow; // the link's thread only

  RedisLink(List<URI> redis, char[] password, String keyPrefix, Listener listener, Ticker ticker) {
    this.uris = redis.stream().map(u -> redisUri(u, password)).toList();
    this.bansKey = keyPrefix + ":bans";
    this.liftedKey = keyPrefix + ":bans:lifted";
    this.channel = keyPrefix + ":bans:changes";
    this.listener = listener;
    this.quiet = new QuietLog(LOG, ticker);
    // Lettuce's own timer ticks ten times a second for the life of the process; nothing here
    // times out in less than a second (connects and commands: COMMAND_TIMEOUT), so one tick a
    // second will do and costs a tenth of the wake-ups.
    this.timer =
        new HashedWheelTimer(
            r -> {
              Thread t = new Thread(r, "wssguard-fleet-timer");
              t.setDaemon(true);
              return t;
            },
            1,
            TimeUnit.SECONDS,
            16);
    this.resources =
        DefaultClientResources.builder()
            .ioThreadPoolSize(1)
            .computationThreadPoolSize(1)
            .timer(timer)
            .commandLatencyRecorder(CommandLatencyRecorder.disabled())
            .build();
    ClientOptions options =
        ClientOptions.builder()
            .autoReconnect(false)
            .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
            // RESP2: AUTH rather than HELLO, the smallest set of commands for an ACL user.
            .protocolVersion(ProtocolVersion.RESP2)
            // No per-command timeouts: every wait here has its own (the sync API's from the URI,
            // FleetSync's batches theirs), and Lettuce's would wake its timer thread ten times a
            // second for as long as the proxy runs.
            .timeoutOptions(TimeoutOptions.builder().timeoutCommands(false).build())
            .socketOptions(
                SocketOptions.builder().connectTimeout(COMMAND_TIMEOUT).keepAlive(true).build())
            .build();
    for (RedisURI uri : uris) {
      RedisClient client = RedisClient.create(resources, uri);
      client.setOptions(options);
      client.addListener(
          new RedisConnectionStateListener() {
            @Override
            public void onRedisDisconnected(RedisChannelHandler<?, ?> connection) {
              run(() -> disconnected(connection));
            }
          });
      clients.add(client);
    }
    this.thread =
        new ScheduledThreadPoolExecutor(
            1,
            r -> {
              Thread t = new Thread(r, "wssguard-fleet");
              t.setDaemon(true);
              return t;
            });
    thread.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
  }

  /** A URI as the configuration checked it; a user name in it goes with the password file's. */
  private static RedisURI redisUri(URI uri, char[] password) {
    if (uri.getScheme().equals(SentinelSet.SCHEME)) {
      return sentinelUri(SentinelSet.parse(uri.toString()), password);
    }
    RedisURI.Builder b =
        RedisURI.Builder.redis(uri.getHost().replace("[", "").replace("]", ""), uri.getPort())
            .withSsl(uri.getScheme().equals("rediss"))
            .withTimeout(COMMAND_TIMEOUT);
    String path = uri.getPath();
    if (path != null && path.length() > 1) {
      b.withDatabase(Integer.parseInt(path.substring(1)));
    }
    if (password != null) {
      if (uri.getUserInfo() != null) {
        b.withAuthentication(uri.getUserInfo(), password);
      } else {
        b.withPassword(password);
      }
    }
    return b.build();
  }

  /**
   * The primary the Sentinels of {@code set} name; the password (and user) are the primary's, the
   * Sentinels are asked without one.
   */
  private static RedisURI sentinelUri(SentinelSet set, char[] password) {
    InetSocketAddress first = set.sentinels().get(0);
    RedisURI.Builder b =
        RedisURI.Builder.sentinel(first.getHostString(), first.getPort(), set.primary())
            .withDatabase(set.database())
            .withTimeout(COMMAND_TIMEOUT);
    for (InetSocketAddress s : set.sentinels().subList(1, set.sentinels().size())) {
      b.withSentinel(s.getHostString(), s.getPort());
    }
    if (password != null) {
      if (set.user() != null) {
        b.withAuthentication(set.user(), password);
      } else {
        b.withPassword(password);
      }
    }
    return b.build();
  }

  /** Connects (in the background: returns at once). */
  void start() {
    run(this::connect);
    var unused =
        thread.scheduleWithFixedDelay(
            () -> {
              if (commands != null) {
                load();
              }
            },
            RESYNC.toMillis(),
            RESYNC.toMillis(),
            TimeUnit.MILLISECONDS);
  }

  /**
   * Runs {@code task} on the link's thread once, {@code delay} from now; null if the link is
   * closed. Cancelling the answer before it ran means it never runs.
   */
  ScheduledFuture<?> after(Duration delay, Runnable task) {
    try {
      return thread.schedule(
          () -> {
            try {
              task.run();
            } catch (RuntimeException e) {
              LOG.log(Level.WARNING, "fleet: unexpected failure", e);
            }
          },
          delay.toNanos(),
          TimeUnit.NANOSECONDS);
    } catch (RejectedExecutionException e) {
      return null; // closed
    }
  }

  /**
   * The command connection while Redis is connected, else null (the link's thread only). A caller
   * that pipelines turns auto-flush off and on again around its batch.
   */
  StatefulRedisConnection<String, String> connection() {
    return connected ? commands : null;
  }

  /** A batch on {@link #connection} timed out or the connection broke: reconnect. */
  void failed(Throwable why) {
    lost(why);
  }

  /**
   * A batch on {@link #connection} was not answered within {@link #COMMAND_TIMEOUT}. An open
   * connection is only slow (a loaded Redis or machine): dropping it would drop the subscription
   * too and hold every ban back for a reconnect and a full reload, so the batch is skipped and only
   * {@link #SLOW_BATCHES} unanswered in a row, or a closed connection, count as Redis lost.
   */
  void unanswered(Throwable why) {
    StatefulRedisConnection<String, String> c = commands;
    if (c != null && c.isOpen() && ++unansweredInARow < SLOW_BATCHES) {
      quiet.warn("slow", "fleet: Redis at " + connectedTo + " is slow (" + why(why) + ")");
      return;
    }
    failed(why);
  }

  /** A batch on {@link #connection} was answered in time. */
  void answered() {
    unansweredInARow = 0;
  }

  /** Whether both connections are up and the hash was loaded through them. */
  boolean connected() {
    return connected;
  }

  /** Notices written and published since start. */
  long published() {
    return published.get();
  }

  /** Queues {@code notice} for Redis (any thread; never waits). */
  void send(BanNotice notice) {
    run(
        () -> {
          queue.remove(notice.target());
          queue.put(notice.target(), notice);
          if (queue.size() > MAX_QUEUED) {
            Iterator<BanNotice> oldest = queue.values().iterator();
            BanNotice dropped = oldest.next();
            oldest.remove();
            quiet.warn(
                "queue",
                "fleet: more than "
                    + MAX_QUEUED
                    + " changes wait for Redis; the oldest ("
                    + dropped.kind().name().toLowerCase(java.util.Locale.ROOT)
                    + " of "
                    + dropped.target().shortText()
                    + ") stays on this node only");
          }
          flush();
        });
  }

  /** Whether a change to {@code target} is still waiting for Redis (the link's thread only). */
  boolean queued(Cidr target) {
    return queue.containsKey(target);
  }

  /** Runs {@code task} on the link's thread (any thread may call). */
  void run(Runnable task) {
    try {
      thread.execute(
          () -> {
            try {
              task.run();
            } catch (RuntimeException e) {
              LOG.log(Level.WARNING, "fleet: unexpected failure", e);
            }
          });
    } catch (RejectedExecutionException e) {
      // closed
    }
  }

  private void connect() {
    if (closed || commands != null) {
      return;
    }
    List<String> failures = new ArrayList<>();
    for (int i = 0; i < clients.size(); i++) {
      RedisClient client = clients.get(i);
      StatefulRedisConnection<String, String> c = null;
      StatefulRedisPubSubConnection<String, String> s = null;
      try {
        c = client.connect();
        s = client.connectPubSub();
        s.addListener(
            new RedisPubSubAdapter<>() {
              @Override
              public void message(String from, String message) {
                if (channel.equals(from)) {
                  run(() -> listener.received(message));
                }
              }
            });
        s.sync().subscribe(channel);
        commands = c;
        subscription = s;
        connectedTo = where(uris.get(i));
        break;
      } catch (RuntimeException e) {
        failures.add(where(uris.get(i)) + ": " + why(e));
        closeQuietly(c);
        closeQuietly(s);
      }
    }
    if (commands == null) {
      quiet.warn(
          "down",
          "fleet: Redis does not answer ("
              + String.join("; ", failures)
              + "); serving with this node's bans, trying again every "
              + RETRY.toSeconds()
              + " s");
      retryLater();
      return;
    }
    flush();
    if (commands != null && load()) {
      connected = true;
      quiet.reset("down");
      LOG.info("fleet: connected to Redis at " + connectedTo);
    }
  }

  /** Sends the queue in order; stops at the first failure (the connection is then given up). */
  private void flush() {
    while (commands != null && !queue.isEmpty()) {
      BanNotice n = queue.values().iterator().next();
      try {
        RedisCommands<String, String> redis = commands.sync();
        if (n.kind() == BanNotice.Kind.BAN) {
          redis.hset(bansKey, n.field(), n.json());
        } else {
          // The record first: from a store that has lost the ban and has no record of its lifting,
          // the nodes that hold the ban write it back.
          redis.hset(liftedKey, n.field(), n.json());
          redis.hdel(bansKey, n.field());
        }
        redis.publish(channel, n.message());
      } catch (RuntimeException e) {
        lost(e);
        return;
      }
      queue.remove(n.target());
      published.incrementAndGet();
      listener.sent(n);
    }
  }

  /** Reads both hashes and makes the changes the listener names; false if Redis failed. */
  private boolean load() {
    try {
      RedisCommands<String, String> redis = commands.sync();
      Repairs repairs = listener.loaded(redis.hgetall(bansKey), redis.hgetall(liftedKey));
      if (!repairs.endedBans().isEmpty()) {
        redis.hdel(bansKey, repairs.endedBans().toArray(new String[0]));
      }
      if (!repairs.endedLifts().isEmpty()) {
        redis.hdel(liftedKey, repairs.endedLifts().toArray(new String[0]));
      }
      if (!repairs.restored().isEmpty()) {
        redis.hset(bansKey, repairs.restored());
      }
      return true;
    } catch (RuntimeException e) {
      lost(e);
      return false;
    }
  }

  private void disconnected(RedisChannelHandler<?, ?> connection) {
    if (isCurrent(connection)) {
      lost(new IllegalStateException("connection closed"));
    }
  }

  @SuppressWarnings("ReferenceEquality") // which of our two connections closed: identity is meant
  private boolean isCurrent(Object connection) {
    return connection != null && (connection == commands || connection == subscription);
  }

  /** Gives the connections up after a failure, and tries again later. */
  private void lost(Throwable why) {
    if (commands == null) {
      return;
    }
    boolean was = connected;
    unansweredInARow = 0;
    connected = false;
    StatefulRedisConnection<String, String> c = commands;
    StatefulRedisPubSubConnection<String, String> s = subscription;
    commands = null;
    subscription = null;
    closeQuietly(c);
    closeQuietly(s);
    quiet.warn(
        "down",
        "fleet: lost Redis at "
            + connectedTo
            + " ("
            + why(why)
            + ")"
            + (was ? "" : " while connecting")
            + "; serving with this node's bans, changes queued until it answers");
    retryLater();
  }

  private void retryLater() {
    if (closed) {
      return;
    }
    try {
      var unused = thread.schedule(this::connect, RETRY.toMillis(), TimeUnit.MILLISECONDS);
    } catch (RejectedExecutionException e) {
      // closed
    }
  }

  private static String where(RedisURI uri) {
    if (uri.getSentinelMasterId() != null) {
      StringBuilder s = new StringBuilder("redis-sentinel://");
      for (RedisURI sentinel : uri.getSentinels()) {
        s.append(s.length() > 17 ? "," : "").append(sentinel.getHost()).append(':');
        s.append(sentinel.getPort());
      }
      return s.append('#').append(uri.getSentinelMasterId()).toString();
    }
    return (uri.isSsl() ? "rediss://" : "redis://") + uri.getHost() + ":" + uri.getPort();
  }

  private static String why(Throwable e) {
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    String message =
        root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
    return NoticeReader.clip(message);
  }

  private static void closeQuietly(StatefulRedisConnection<?, ?> c) {
    if (c != null) {
      var unused = c.closeAsync(); // nothing to do if closing fails: the socket goes either way
    }
  }

  private static void closeQuietly(StatefulRedisPubSubConnection<?, ?> c) {
    if (c != null) {
      var unused = c.closeAsync(); // nothing to do if closing fails: the socket goes either way
    }
  }

  private static void awaitClosed(CompletableFuture<Void> closing) {
    if (closing == null) {
      return;
    }
    try {
      closing.get(COMMAND_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException | TimeoutException e) {
      LOG.log(Level.FINE, "fleet: a Redis connection did not close cleanly", e);
    }
  }

  /** Sends what is queued if Redis answers (within the command timeout), then lets go of it. */
  @Override
  public void close() {
    run(
        () -> {
          flush();
          closed = true;
          connected = false;
          // Closed and waited for here, so that the clients' shutdown below finds nothing left to
          // close: Lettuce warns of a second close, which an operator would read as trouble.
          awaitClosed(commands == null ? null : commands.closeAsync());
          awaitClosed(subscription == null ? null : subscription.closeAsync());
          commands = null;
          subscription = null;
        });
    thread.shutdown();
    try {
      if (!thread.awaitTermination(10, TimeUnit.SECONDS)) {
        thread.shutdownNow();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      thread.shutdownNow();
    }
    for (RedisClient client : clients) {
      client.shutdown(Duration.ZERO, COMMAND_TIMEOUT);
    }
    try {
      resources.shutdown(0, COMMAND_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS).get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException e) {
      LOG.log(Level.FINE, "fleet: Redis client threads did not stop cleanly", e);
    }
    var unused = timer.stop(); // given to Lettuce, which does not stop a timer it was given
  }
}
