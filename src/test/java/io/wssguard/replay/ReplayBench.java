package io.wssguard.replay;

import io.wssguard.limit.CompiledPolicy;
import io.wssguard.policy.PolicyParser;
import io.wssguard.traffic.SyntheticRecording;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * Replay throughput (BENCHMARKS.md, "Policy lab"): a synthetic recording of 1,000 clients at 50
 * messages/s each (echoed) for 101 s, 5 million client messages and as many backend frames,
 * replayed under the default policy; prints recorded client messages (and records) replayed per
 * second. A main, not a test: run it on a machine as quiet as you can find.
 *
 * <pre>
 * mvn -B -o -q test-compile dependency:build-classpath -Dmdep.outputFile=target/cp.txt
 * java -cp target/classes:target/test-classes:$(cat target/cp.txt) io.wssguard.replay.ReplayBench
 * </pre>
 *
 * Arguments: [seconds of traffic, default 101] [runs, default 5].
 */
public final class ReplayBench {
  private ReplayBench() {}

  public static void main(String[] args) throws IOException {
    long seconds = args.length > 0 ? Long.parseLong(args[0]) : 101;
    int runs = args.length > 1 ? Integer.parseInt(args[1]) : 5;
    Path dir = Files.createTempDirectory("wssguard-replay-bench");
    try {
      SyntheticRecording r = new SyntheticRecording();
      for (int i = 0; i < 1000; i++) {
        r.client("10.1." + (i / 250) + "." + (i % 250 + 1), "/chat", 50, 64);
      }
      long t0 = System.nanoTime();
      long messages = r.write(dir, seconds);
      long bytes = 0;
      try (Stream<Path> files = Files.list(dir)) {
        bytes = files.mapToLong(ReplayBench::size).sum();
      }
      System.out.printf(
          Locale.ROOT,
          "recording: %,d client messages, %,d bytes, written in %.1f s%n",
          messages,
          bytes,
          (System.nanoTime() - t0) / 1e9);
      CompiledPolicy policy =
          new CompiledPolicy(PolicyParser.embeddedDefault().policies().get("default"));
      for (int run = 1; run <= runs; run++) {
        String load = Files.readString(Path.of("/proc/loadavg")).strip();
        long start = System.nanoTime();
        ReplayReport report = PolicyReplay.run(dir, policy, null);
        double s = (System.nanoTime() - start) / 1e9;
        System.out.printf(
            Locale.ROOT,
            "run %d: %.2f s, %,.0f client messages/s, %,.0f records/s (%d connections; load %s)%n",
            run,
            s,
            messages / s,
            report.records() / s,
            report.connections(),
            load);
      }
    } finally {
      try (Stream<Path> files = Files.walk(dir)) {
        files.sorted(Comparator.reverseOrder()).forEach(ReplayBench::delete);
      }
    }
  }

  private static long size(Path p) {
    try {
      return Files.size(p);
    } catch (IOException e) {
      return 0;
    }
  }

  private static void delete(Path p) {
    try {
      Files.delete(p);
    } catch (IOException e) {
      // a temporary directory: best effort
    }
  }
}
