package io.wssguard.bench;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import javax.net.ssl.SSLContext;
import org.HdrHistogram.Histogram;

/**
 * One target's run: connect every connection, warm up, measure, close. The coordinating thread sets
 * the {@link Schedule}, samples the proxy's {@code /proc} figures at the window's edges and drives
 * the progress bar; the {@link ClientLoop}s do all the network work.
 */
final class TargetRun {
  /**
   * The most client selector threads: the bench shares the machine with the proxy and the backend.
   */
  static final int MAX_LOOPS = 2;

  private final BenchParams params;
  private final Progress progress;

  TargetRun(BenchParams params, Progress progress) {
    this.params = params;
    this.progress = progress;
  }

  /**
   * @param proxyPid the wssguard process, or -1 for {@code direct}
   */
  TargetResult run(
      Target target, InetSocketAddress address, String path, SSLContext tls, long proxyPid)
      throws IOException, InterruptedException {
    int n = params.connections();
    long rss0 = proxyPid > 0 ? ProcStats.rssBytes(proxyPid) : -1;
    Schedule schedule = new Schedule();
    int loopCount = Math.min(MAX_LOOPS, n);
    List<ClientLoop> loops = new ArrayList<>();
    byte[] payload = new byte[params.size()];
    ThreadLocalRandom.current().nextBytes(payload);
    byte[] mask = new byte[4];
    ThreadLocalRandom.current().nextBytes(mask);
    byte[] frame = Conn.maskedFrame(0x2, payload, mask);
    for (int j = 0; j < loopCount; j++) {
      loops.add(new ClientLoop(schedule, params.rate(), j, loopCount, n));
    }
    for (int i = 0; i < n; i++) {
      loops.get(i % loopCount).open(address, path, tls, frame);
    }
    List<Thread> threads = new ArrayList<>();
    for (int j = 0; j < loopCount; j++) {
      Thread t = new Thread(loops.get(j), "bench-client-" + j);
      t.setDaemon(true);
      threads.add(t);
      t.start();
    }
    long connectDeadline = System.nanoTime() + (10_000 + 20L * n) * 1_000_000L;
    while (System.nanoTime() < connectDeadline && settled(loops) < n) {
      progress.connecting(target, opened(loops), n);
      Thread.sleep(20);
    }
    // Memory with every connection open, before traffic grows buffers and heap.
    long rss1 = proxyPid > 0 ? ProcStats.rssBytes(proxyPid) : -1;
    long warmupNanos = (long) (params.warmupSeconds() * 1e9);
    long durationNanos = (long) (params.durationSeconds() * 1e9);
    long start = System.nanoTime() + 20_000_000L;
    schedule.measureTo = start + warmupNanos + durationNanos;
    schedule.measureFrom = start + warmupNanos;
    schedule.sendFrom = start;
    schedule.hardStop = schedule.measureTo + 5_000_000_000L;
    schedule.closeFrom = schedule.measureTo;
    int connected = opened(loops);
    // Warm-up, then the window's edges sampled as close to the schedule as the sleeps allow.
    sleepUntil(schedule.measureFrom, target, schedule, loops);
    ProcStats.Cpu cpu0 = proxyPid > 0 ? ProcStats.cpu(proxyPid) : null;
    sleepUntil(schedule.measureTo, target, schedule, loops);
    ProcStats.Cpu cpu1 = proxyPid > 0 ? ProcStats.cpu(proxyPid) : null;
    for (Thread t : threads) {
      t.join(Math.max(1, (schedule.hardStop - System.nanoTime()) / 1_000_000L + 2_000));
    }

    Histogram h = new Histogram(60_000_000_000L, 3);
    long sent = 0;
    long echoed = 0;
    long connectErrors = 0;
    long unexpected = 0;
    long protocol = 0;
    long closeTimeouts = 0;
    long skipped = 0;
    String firstError = null;
    for (ClientLoop loop : loops) {
      h.add(loop.histogram());
      sent += loop.sentInWindow;
      echoed += loop.echoedInWindow.get();
      for (Conn c : loop.connections()) {
        skipped += c.skipped;
        switch (c.outcome) {
          case CONNECT_FAILED -> connectErrors++;
          case UNEXPECTED_CLOSE -> unexpected++;
          case PROTOCOL_ERROR -> protocol++;
          case CLOSE_TIMEOUT -> closeTimeouts++;
          // A loop that never finished (it did not stop in time) leaves connections that never
          // opened.
          case NONE ->
              connectErrors += c.state == Conn.State.OPEN || c.state == Conn.State.CLOSING ? 0 : 1;
          default -> {}
        }
        if (firstError == null && c.failure != null && c.outcome != Conn.Outcome.CLOSED_CLEANLY) {
          firstError = c.outcome + ": " + c.failure;
        }
      }
    }
    double seconds = durationNanos / 1e9;
    List<Double> curve = new ArrayList<>();
    for (double p : TargetResult.CURVE_PERCENTILES) {
      curve.add(ms(h, p));
    }
    Double cpuUs = null;
    Double tickUs = null;
    Double cpuSeconds = null;
    Double rssPerConn = null;
    if (cpu0 != null && cpu1 != null) {
      long nanos = cpu1.nanosSince(cpu0);
      cpuSeconds = nanos / 1e9;
      if (echoed > 0) {
        cpuUs = nanos / 1e3 / (2.0 * echoed);
        tickUs = cpu1.tickNanosSince(cpu0) / 1e3 / (2.0 * echoed);
      }
    }
    if (rss0 > 0 && rss1 > 0 && connected > 0) {
      rssPerConn = (double) (rss1 - rss0) / connected;
    }
    String url =
        (tls != null ? "wss://" : "ws://")
            + address.getHostString()
            + ":"
            + address.getPort()
            + path;
    return new TargetResult(
        target,
        url,
        n,
        connected,
        seconds,
        sent,
        echoed,
        echoed / seconds,
        ms(h, 50),
        ms(h, 90),
        ms(h, 99),
        ms(h, 99.9),
        h.getTotalCount() == 0 ? Double.NaN : h.getMaxValue() / 1e6,
        h.getTotalCount() == 0 ? Double.NaN : h.getMean() / 1e6,
        curve,
        cpuUs,
        tickUs,
        cpuSeconds,
        rssPerConn,
        connectErrors,
        unexpected,
        protocol,
        closeTimeouts,
        skipped,
        firstError);
  }

  private void sleepUntil(long deadline, Target target, Schedule schedule, List<ClientLoop> loops)
      throws InterruptedException {
    long total = schedule.measureTo - schedule.sendFrom;
    long lastEchoed = 0;
    long lastAt = System.nanoTime();
    double rate = 0;
    while (true) {
      long now = System.nanoTime();
      if (now >= deadline) {
        return;
      }
      long echoed = 0;
      for (ClientLoop l : loops) {
        echoed += l.echoedInWindow.get();
      }
      if (now - lastAt >= 500_000_000L) {
        rate = (echoed - lastEchoed) / ((now - lastAt) / 1e9);
        lastEchoed = echoed;
        lastAt = now;
      }
      progress.running(
          target, (double) (now - schedule.sendFrom) / total, schedule.measuring(now), rate);
      Thread.sleep(Math.max(1, Math.min(200, (deadline - now) / 1_000_000L)));
    }
  }

  private static int settled(List<ClientLoop> loops) {
    int s = 0;
    for (ClientLoop l : loops) {
      s += l.settled;
    }
    return s;
  }

  private static int opened(List<ClientLoop> loops) {
    int s = 0;
    for (ClientLoop l : loops) {
      s += l.openConnections.get();
    }
    return s;
  }

  private static double ms(Histogram h, double percentile) {
    return h.getTotalCount() == 0 ? Double.NaN : h.getValueAtPercentile(percentile) / 1e6;
  }
}
