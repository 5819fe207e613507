package io.wssguard.cli;

import io.wssguard.bench.Bench;
import io.wssguard.bench.BenchParams;
import io.wssguard.bench.Target;
import io.wssguard.quantity.Quantities;
import java.net.URI;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code wssguard bench}: the built-in load generator. Exit codes: 0 when every target ran without
 * errors, 1 when the bench could not run (the proxy did not start), 2 for bad options, 3 when a
 * connection failed or closed unexpectedly (the report is still written).
 */
@Command(
    name = "bench",
    mixinStandardHelpOptions = true,
    description = {
      "Measure wssguard's overhead: direct to a backend vs through wssguard (plain, TLS BoringSSL,"
          + " TLS JDK, policies on and off), one run, loopback only.",
      "Starts the demo echo backend (or uses --backend) and one wssguard process from this jar."
    })
final class BenchCommand implements Callable<Integer> {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Option(
      names = "--connections",
      paramLabel = "N",
      defaultValue = "100",
      description = "WebSocket connections per target (default ${DEFAULT-VALUE}).")
  int connections;

  @Option(
      names = "--rate",
      paramLabel = "R",
      defaultValue = "20",
      description = "Messages per second per connection, open loop (default ${DEFAULT-VALUE}).")
  int rate;

  @Option(
      names = "--size",
      paramLabel = "SIZE",
      defaultValue = "128",
      description =
          "Binary message payload: bytes, or a size in B, KiB, MiB (1 B..1 MiB, default"
              + " ${DEFAULT-VALUE}).")
  String size;

  @Option(
      names = "--duration",
      paramLabel = "D",
      defaultValue = "10",
      description = "Measured seconds per target (default ${DEFAULT-VALUE}).")
  double duration;

  @Option(
      names = "--warmup",
      paramLabel = "W",
      defaultValue = "3",
      description = "Seconds of load per target before measuring (default ${DEFAULT-VALUE}).")
  double warmup;

  @Option(
      names = "--targets",
      paramLabel = "LIST",
      defaultValue = "direct,plain,tls-boringssl,tls-jdk,policies-on,policies-off",
      description = "Comma-separated, run in this order (default ${DEFAULT-VALUE}).")
  String targets;

  @Option(
      names = "--out",
      paramLabel = "DIR",
      defaultValue = "bench-results",
      description = "Where bench.json and bench.svg go (default ${DEFAULT-VALUE}).")
  Path out;

  @Option(
      names = "--backend",
      paramLabel = "URL",
      description =
          "An external ws:// echo backend (e.g. ws://127.0.0.1:9001/) instead of the built-in one.")
  URI backend;

  @Option(
      names = "--jar",
      paramLabel = "FILE",
      description =
          "The wssguard jar to start as the proxy (default: the one running this command).")
  Path jar;

  @Option(
      names = "--proxy-java-options",
      paramLabel = "OPTS",
      defaultValue = "-Xms256m -Xmx256m",
      description = "JVM options of the proxy process, space-separated (default ${DEFAULT-VALUE}).")
  String proxyJavaOptions;

  @Option(names = "--quiet", description = "No progress bar.")
  boolean quiet;

  @Override
  public Integer call() throws Exception {
    BenchParams params;
    try {
      List<String> opts =
          Arrays.stream(proxyJavaOptions.trim().split("\\s+")).filter(s -> !s.isEmpty()).toList();
      int bytes;
      try {
        bytes = (int) Quantities.parseSize(size, 1, BenchParams.MAX_SIZE);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("--size: " + size + " (" + e.getMessage() + ")", e);
      }
      params =
          new BenchParams(
              connections,
              rate,
              bytes,
              duration,
              warmup,
              Target.parseList(targets),
              out,
              backend,
              jar != null ? jar : runningJar(),
              opts,
              quiet);
    } catch (IllegalArgumentException e) {
      spec.commandLine().getErr().println("wssguard bench: " + e.getMessage());
      return 2;
    }
    return new Bench(params, Version.get(), System.out, System.err).run(onTerminal());
  }

  // On Java 17..21 a console exists exactly when stdin and stdout are a terminal; Java 22 always
  // has one and says so with isTerminal(), which this build cannot call.
  @SuppressWarnings("SystemConsoleNull")
  private static boolean onTerminal() {
    return System.console() != null && Runtime.version().feature() < 22;
  }

  private static Path runningJar() {
    try {
      Path p =
          Path.of(BenchCommand.class.getProtectionDomain().getCodeSource().getLocation().toURI());
      return p.toString().endsWith(".jar") ? p : null;
    } catch (Exception e) {
      return null;
    }
  }
}
