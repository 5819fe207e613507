package io.wssguard.testing;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.Assumptions;

/**
 * A real {@code redis-server} (Debian's package) on a free loopback port, in a temporary directory,
 * persisting nothing: for the fleet's tests. It can be stopped and started again on the same port
 * (an outage), or paused (a Redis that hangs). {@link #admin} talks to it as an operator would.
 */
public final class RedisServer implements AutoCloseable {
  public static final Path BINARY = Path.of("/usr/bin/redis-server");

  private final Path dir;
  private final int port;
  private final List<String> extra;
  private Process process;

  private RedisServer(Path dir, int port, List<String> extra) {
    this.dir = dir;
    this.port = port;
    this.extra = extra;
  }

  /** Skips the calling test, saying why, when redis-server is not installed. */
  public static void assumeInstalled() {
    Assumptions.assumeTrue(
        Files.isExecutable(BINARY) || onPath(),
        "redis-server is not installed (apt-get install redis-server; .ci/run does it): the"
            + " fleet's tests need a real Redis");
  }

  private static boolean onPath() {
    String path = System.getenv("PATH");
    if (path == null) {
      return false;
    }
    for (String d : path.split(":", -1)) {
      if (Files.isExecutable(Path.of(d, "redis-server"))) {
        return true;
      }
    }
    return false;
  }

  /**
   * Starts one in {@code dir}; {@code extra} are more {@code --directive value} arguments (an ACL
   * user, say).
   */
  public static RedisServer start(Path dir, String... extra) throws Exception {
    assumeInstalled();
    RedisServer redis = new RedisServer(dir, freePort(), List.of(extra));
    redis.start();
    return redis;
  }

  /**
   * Starts a replica of {@code primary} in {@code dir} (replicating asynchronously, as Redis does).
   */
  public static RedisServer replicaOf(RedisServer primary, Path dir) throws Exception {
    return start(dir, "--replicaof", "127.0.0.1", Integer.toString(primary.port()));
  }

  public int port() {
    return port;
  }

  /** {@code redis://127.0.0.1:port/0}. */
  public String uri() {
    return "redis://127.0.0.1:" + port + "/0";
  }

  /** A free loopback port for a Redis process. */
  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  /**
   * Runs {@code redis-server} with {@code args}, its output in {@code log}; returns it once it
   * accepts connections on {@code port}.
   */
  static Process launch(List<String> args, Path log, int port) throws Exception {
    List<String> cmd = new ArrayList<>();
    cmd.add(Files.isExecutable(BINARY) ? BINARY.toString() : "redis-server");
    cmd.addAll(args);
    Process p =
        new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    Await.until(
        () -> accepts(port) || !p.isAlive(),
        Duration.ofSeconds(20),
        () -> "redis-server " + args + " on port " + port);
    if (!p.isAlive()) {
      throw new IllegalStateException("redis-server exited: " + Files.readString(log));
    }
    return p;
  }

  /** SIGTERM, then SIGKILL if it has not gone within 10 s. */
  static void stop(Process process) throws InterruptedException {
    process.destroy();
    if (!process.waitFor(10, TimeUnit.SECONDS)) {
      process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
  }

  /** Starts it (again, on the same port); returns once it answers. */
  public void start() throws Exception {
    List<String> cmd = new ArrayList<>();
    cmd.addAll(
        List.of(
            "--port",
            Integer.toString(port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            dir.toString(),
            "--daemonize",
            "no"));
    cmd.addAll(extra);
    process = launch(cmd, dir.resolve("redis.log"), port);
  }

  /** Whether something on loopback accepts a connection on {@code port} now. */
  private static boolean accepts(int port) {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 200);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  /** Kills it at once (SIGKILL: a crash, not a shutdown); the port is free again on return. */
  public void kill() throws InterruptedException {
    if (process != null) {
      process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      process = null;
    }
  }

  /** SIGSTOP: it keeps its sockets but answers nothing (a Redis that hangs). */
  public void pause() throws Exception {
    signal("STOP");
  }

  /** SIGCONT after {@link #pause}. */
  public void resume() throws Exception {
    signal("CONT");
  }

  private void signal(String name) throws Exception {
    Process kill =
        new ProcessBuilder("kill", "-" + name, Long.toString(process.pid())).inheritIO().start();
    if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
      throw new IllegalStateException("kill -" + name + " failed");
    }
  }

  /** Runs {@code commands} on a connection of its own, as {@code user} when not null. */
  public void admin(
      String user, String password, Consumer<RedisCommands<String, String>> commands) {
    RedisURI.Builder b = RedisURI.Builder.redis("127.0.0.1", port);
    if (user != null) {
      b.withAuthentication(user, password);
    }
    RedisClient client = RedisClient.create(b.build());
    try (StatefulRedisConnection<String, String> c = client.connect()) {
      commands.accept(c.sync());
    } finally {
      client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    }
  }

  /** The hash at {@code key}, read on a connection of its own (empty if there is none). */
  public Map<String, String> hgetall(String key) {
    List<Map<String, String>> read = new ArrayList<>();
    admin(null, null, r -> read.add(r.hgetall(key)));
    return read.get(0);
  }

  @Override
  public void close() throws Exception {
    if (process != null) {
      if (process.isAlive()) {
        resume(); // a paused one would not hear the SIGTERM
      }
      stop(process);
      process = null;
    }
  }
}
