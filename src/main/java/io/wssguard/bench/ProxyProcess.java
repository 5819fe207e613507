package io.wssguard.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The wssguard under test: a child process ({@code java -jar wssguard.jar run}), so that its CPU
 * and memory can be read from {@code /proc} apart from the bench's own. One process serves every
 * proxied target: a plain listener and two TLS listeners (BoringSSL, JDK engine), all on ephemeral
 * loopback ports, and two routes to the same backend, {@code /on} under a policy whose limits sit
 * far above any bench load (every check runs, none trips) and {@code /off} with {@code policy:
 * off}. The ports are read from the start-up banner.
 */
final class ProxyProcess implements AutoCloseable {
  static final String PLAIN = "plain";
  static final String TLS_BORINGSSL = "tls-boringssl";
  static final String TLS_JDK = "tls-jdk";
  static final String POLICY_ROUTE = "/on";
  static final String NO_POLICY_ROUTE = "/off";

  private static final Pattern LISTENING =
      Pattern.compile("listening wss?://127\\.0\\.0\\.1:(\\d+)/ \\(([a-z0-9-]+)");
  private static final long START_TIMEOUT_SECONDS = 60;

  private final Process process;
  private final Map<String, Integer> ports;
  private final Path log;

  private ProxyProcess(Process process, Map<String, Integer> ports, Path log) {
    this.process = process;
    this.ports = ports;
    this.log = log;
  }

  /**
   * Writes the config and policy into {@code dir}, starts wssguard and waits for its banner.
   *
   * @param backend {@code host:port} of the backend's {@code ws://} server
   */
  static ProxyProcess start(Path jar, List<String> javaOptions, Path dir, String backend)
      throws IOException, InterruptedException {
    Files.createDirectories(dir.resolve("policies"));
    Files.writeString(dir.resolve("policies/bench.yaml"), POLICY);
    Files.writeString(dir.resolve("wssguard.yaml"), config(backend));
    List<String> cmd = new ArrayList<>();
    cmd.add(javaCommand());
    cmd.addAll(javaOptions);
    cmd.addAll(List.of("-jar", jar.toString(), "run", "--config", "wssguard.yaml"));
    Path log = dir.resolve("wssguard.log");
    Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
    CompletableFuture<Map<String, Integer>> banner = new CompletableFuture<>();
    Thread reader = new Thread(() -> readOutput(p, log, banner), "bench-proxy-output");
    reader.setDaemon(true);
    reader.start();
    try {
      Map<String, Integer> ports = banner.get(START_TIMEOUT_SECONDS, TimeUnit.SECONDS);
      return new ProxyProcess(p, ports, log);
    } catch (ExecutionException | TimeoutException e) {
      p.destroyForcibly();
      p.waitFor(10, TimeUnit.SECONDS);
      String out = Files.exists(log) ? Files.readString(log) : "";
      throw new IOException(
          "wssguard did not start ("
              + (e instanceof TimeoutException
                  ? "no banner within " + START_TIMEOUT_SECONDS + " s"
                  : e.getCause().getMessage())
              + "); its output:\n"
              + out);
    }
  }

  /**
   * Copies the child's output to the log, and completes {@code banner} once every listener is
   * known.
   */
  private static void readOutput(
      Process p, Path log, CompletableFuture<Map<String, Integer>> banner) {
    Map<String, Integer> ports = new HashMap<>();
    try (BufferedReader r =
            new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        Writer w = Files.newBufferedWriter(log)) {
      String line;
      while ((line = r.readLine()) != null) {
        w.write(line);
        w.write('\n');
        w.flush();
        Matcher m = LISTENING.matcher(line);
        if (m.find()) {
          ports.put(m.group(2), Integer.parseInt(m.group(1)));
          if (ports.size() == 3) {
            banner.complete(Map.copyOf(ports));
          }
        }
      }
    } catch (IOException e) {
      banner.completeExceptionally(e);
    }
    banner.completeExceptionally(new IOException("wssguard exited"));
  }

  long pid() {
    return process.pid();
  }

  int port(String listener) {
    return ports.get(listener);
  }

  Path log() {
    return log;
  }

  boolean alive() {
    return process.isAlive();
  }

  /** SIGTERM (wssguard drains, 1 s here), then SIGKILL if it is still there after 15 s. */
  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(15, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }

  static String javaCommand() {
    return ProcessHandle.current()
        .info()
        .command()
        .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
  }

  private static String config(String backend) {
    return """
        # Written by wssguard bench: the proxy under test.
        listeners:
          - name: plain
            bind: 127.0.0.1:0
          - name: tls-boringssl
            bind: 127.0.0.1:0
            tls:
              engine: boringssl
              certificates:
                - {chain: boringssl-cert.pem, key: boringssl-key.pem, generateIfMissing: true}
          - name: tls-jdk
            bind: 127.0.0.1:0
            tls:
              engine: jdk
              certificates:
                - {chain: jdk-cert.pem, key: jdk-key.pem, generateIfMissing: true}
        backends:
          bench:
            servers: [ws://%s/]
            maxConnectsPerSecond: 1000000
        routes:
          - path: /on
            backend: bench
            maxMessageBytes: 2MiB
            policy: bench
          - path: /off
            backend: bench
            maxMessageBytes: 2MiB
            policy: off
        timeouts:
          drain: 1s
        policies:
          dir: policies/
        """
        .formatted(backend);
  }

  /**
   * Every limit there is, all far above what the bench sends (at most 1 MiB messages), so none
   * trips.
   */
  private static final String POLICY =
      """
      # Written by wssguard bench: every check runs, none trips at bench loads.
      policies:
        bench:
          mode: enforce
          handshake:
            maxHeaderBytes: 8KiB
          perIp:
            handshakes: {rate: 100000/s, burst: 1000000, action: reject, strike: true}
            connections: {max: 1000000, action: reject, strike: true}
            messages: {rate: 100000000/s, burst: 1000000000, action: close, strike: true}
            bytes: {rate: 8GiB/s, burst: 16GiB, action: throttle}
          perConnection:
            messages: {rate: 10000000/s, burst: 100000000, action: close, strike: true}
            bytes: {rate: 4GiB/s, burst: 8GiB, action: throttle}
            maxMessageBytes: {max: 2MiB, action: close, strike: true}
            maxFrameBytes: {max: 2MiB, action: close, strike: true}
            maxFragments: {max: 100000, action: close, strike: true}
            controlFrames: {rate: 100000/s, burst: 1000000, action: close, strike: true}
          strikes: {max: 1000000, window: 10m, ban: 1m}
      """;
}
