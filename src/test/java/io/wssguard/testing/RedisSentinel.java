package io.wssguard.testing;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.sentinel.api.StatefulRedisSentinelConnection;
import io.lettuce.core.sentinel.api.sync.RedisSentinelCommands;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.Function;

/**
 * A real Redis Sentinel ({@code redis-server --sentinel}) on a free loopback port, watching one
 * primary under a name, with a quorum of one and a one-second down-after so that a test's failover
 * takes seconds.
 */
public final class RedisSentinel implements AutoCloseable {
  private final int port;
  private final String name;
  private Process process;

  private RedisSentinel(int port, String name) {
    this.port = port;
    this.name = name;
  }

  /** Starts one in {@code dir} watching the primary on {@code primaryPort} as {@code name}. */
  public static RedisSentinel start(Path dir, String name, int primaryPort) throws Exception {
    RedisServer.assumeInstalled();
    int port = RedisServer.freePort();
    RedisSentinel sentinel = new RedisSentinel(port, name);
    // Sentinel rewrites its configuration file as it learns, so it gets one of its own.
    Path conf = dir.resolve("sentinel.conf");
    Files.writeString(
        conf,
        String.join(
            "\n",
            "port " + port,
            "bind 127.0.0.1",
            "daemonize no",
            "dir " + dir,
            "sentinel monitor " + name + " 127.0.0.1 " + primaryPort + " 1",
            "sentinel down-after-milliseconds " + name + " 1000",
            "sentinel failover-timeout " + name + " 10000",
            ""));
    sentinel.process =
        RedisServer.launch(
            List.of(conf.toString(), "--sentinel"), dir.resolve("sentinel.log"), port);
    return sentinel;
  }

  public int port() {
    return port;
  }

  /** The port of the primary this Sentinel names now. */
  public int primaryPort() {
    return ask(s -> ((InetSocketAddress) s.getMasterAddrByName(name)).getPort());
  }

  /** How many replicas of the primary this Sentinel knows. */
  public int replicas() {
    return ask(s -> s.replicas(name).size());
  }

  private <T> T ask(Function<RedisSentinelCommands<String, String>, T> question) {
    RedisClient client = RedisClient.create(RedisURI.Builder.redis("127.0.0.1", port).build());
    try (StatefulRedisSentinelConnection<String, String> c = client.connectSentinel()) {
      return question.apply(c.sync());
    } finally {
      client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    }
  }

  @Override
  public void close() throws Exception {
    if (process != null) {
      RedisServer.stop(process);
      process = null;
    }
  }
}
