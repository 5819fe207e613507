package io.wssguard.bench;

import java.net.URI;
import java.nio.file.Path;
import java.util.List;

/**
 * One bench run's parameters, checked when built. Bounds keep every run finite and on this
 * machine's scale.
 *
 * @param backend an external {@code ws://} echo backend, or null to start the built-in one
 * @param jar the wssguard jar to start as the proxy under test
 * @param proxyJavaOptions JVM options for the proxy process
 */
public record BenchParams(
    int connections,
    int rate,
    int size,
    double durationSeconds,
    double warmupSeconds,
    List<Target> targets,
    Path out,
    URI backend,
    Path jar,
    List<String> proxyJavaOptions,
    boolean quiet) {

  public static final int MAX_CONNECTIONS = 9_000;
  public static final int MAX_RATE = 100_000;
  public static final int MAX_SIZE = 1 << 20;
  public static final double MAX_SECONDS = 3600;

  public BenchParams {
    check(
        connections >= 1 && connections <= MAX_CONNECTIONS,
        "--connections: " + connections + " (expected: 1.." + MAX_CONNECTIONS + ")");
    check(
        rate >= 1 && rate <= MAX_RATE,
        "--rate: " + rate + " (expected: 1.." + MAX_RATE + " messages/s per connection)");
    check(
        size >= 1 && size <= MAX_SIZE,
        "--size: " + size + " (expected: 1.." + MAX_SIZE + " bytes)");
    check(
        durationSeconds >= 0.5 && durationSeconds <= MAX_SECONDS,
        "--duration: " + durationSeconds + " (expected: 0.5.." + (int) MAX_SECONDS + " seconds)");
    check(
        warmupSeconds >= 0 && warmupSeconds <= MAX_SECONDS,
        "--warmup: " + warmupSeconds + " (expected: 0.." + (int) MAX_SECONDS + " seconds)");
    check(
        targets != null && !targets.isEmpty(),
        "--targets: none (expected some of: " + Target.names() + ")");
    if (backend != null) {
      check(
          "ws".equals(backend.getScheme()) && backend.getHost() != null && backend.getPort() > 0,
          "--backend: " + backend + " (expected: ws://host:port/, a plain WebSocket echo server)");
    }
    targets = List.copyOf(targets);
    proxyJavaOptions = List.copyOf(proxyJavaOptions);
  }

  boolean anyProxied() {
    return targets.stream().anyMatch(Target::proxied);
  }

  private static void check(boolean ok, String message) {
    if (!ok) {
      throw new IllegalArgumentException(message);
    }
  }
}
