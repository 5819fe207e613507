package io.wssguard.observe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * The event log under a flood of rejections from many sources, with stdout stalled (journald
 * behind): strike and ban lines still come out, and no one source gets more than its share of
 * lines. Real log writer thread and queue; the clock is the test's.
 */
class SecurityLogFloodTest {
  private final AtomicLong nanos = new AtomicLong();

  /** stdout that blocks every write until opened, then keeps everything. */
  private static final class StalledOut extends OutputStream {
    final CountDownLatch open = new CountDownLatch(1);
    final ByteArrayOutputStream kept = new ByteArrayOutputStream();

    @Override
    public void write(int b) throws IOException {
      write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      try {
        open.await();
      } catch (InterruptedException e) {
        throw new IOException(e);
      }
      synchronized (kept) {
        kept.write(b, off, len);
      }
    }

    List<String> lines() {
      synchronized (kept) {
        return kept.toString(StandardCharsets.UTF_8).lines().toList();
      }
    }
  }

  private static InetAddress ip(String text) throws IOException {
    return InetAddress.getByName(text);
  }

  private static List<String> awaitLines(StalledOut out, int count) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    List<String> lines = out.lines();
    while (lines.size() < count && System.nanoTime() < deadline) {
      Thread.sleep(10);
      lines = out.lines();
    }
    return lines;
  }

  @Test
  void strikeAndBanLines_surviveAFloodThatFillsTheQueue_andEachSourceIsCapped() throws Exception {
    StalledOut out = new StalledOut();
    Metrics metrics = new Metrics(List.of());
    JsonLog log = new JsonLog(new PrintStream(out, false, StandardCharsets.UTF_8));
    metrics.logDropped(log);
    SecurityLog events = new SecurityLog(metrics, log, new TopSources(16), nanos::get);
    InetAddress hot = ip("198.51.100.1");
    for (int i = 0; i < 500; i++) {
      events.handshakeRejected(hot, "/", "upgrade", 400, "no Upgrade");
    }
    // More sources than the queue holds lines, each within its share.
    for (int i = 0; i < 12_000; i++) {
      InetAddress source = ip("10.0." + (i >> 8) + "." + (i & 0xFF));
      events.policyRefused(source, "/", "default", false, "perIp.handshakes", 429, "too fast");
      events.limitExceeded(source, "default", false, "perConnection.messages", "drop", true, "");
      if (i == 9_000) {
        InetAddress striker = ip("203.0.113.9");
        events.strike(striker, "default", "perIp.handshakes", 5, 5);
        events.banned("203.0.113.9/32", "default", Duration.ofMinutes(15), "5 strikes", "policy");
      }
    }
    long dropped = log.dropped();
    assertTrue(dropped > 0, "the flood overflowed the queue");
    long admitted = 10 + 2 * 12_000L + 2;
    out.open.countDown();
    List<String> lines = awaitLines(out, (int) (admitted - dropped));
    log.close();

    assertEquals(admitted - dropped, lines.size());
    assertEquals(
        1,
        lines.stream()
            .filter(l -> l.contains("\"event\":\"strike\",\"client\":\"203.0.113.9\""))
            .count(),
        "the strike line");
    assertEquals(
        1,
        lines.stream()
            .filter(
                l ->
                    l.contains("\"event\":\"ban\",\"client\":\"203.0.113.9\"")
                        && l.contains("\"target\":\"203.0.113.9/32\""))
            .count(),
        "the ban line");
    long hotLines = lines.stream().filter(l -> l.contains("\"client\":\"198.51.100.1\"")).count();
    assertEquals(SourceLineLimit.PER_SECOND, hotLines, "one source's lines are capped");
    assertTrue(
        metrics.scrape().contains("wssguard_log_lines_suppressed_total 490.0"), metrics.scrape());
  }

  @Test
  void nextLineOfASource_saysHowManyWereLeftOut_afterItsSecond() throws Exception {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    Metrics metrics = new Metrics(List.of());
    JsonLog log = new JsonLog(new PrintStream(bytes, true, StandardCharsets.UTF_8));
    SecurityLog events = new SecurityLog(metrics, log, new TopSources(16), nanos::get);
    InetAddress source = ip("198.51.100.2");
    for (int i = 0; i < 25; i++) {
      events.handshakeRejected(source, "/", "method", 405, "PUT");
    }
    nanos.addAndGet(TimeUnit.MILLISECONDS.toNanos(999));
    events.handshakeRejected(source, "/", "method", 405, "still the same second");
    nanos.addAndGet(TimeUnit.MILLISECONDS.toNanos(1));
    events.handshakeRejected(source, "/", "method", 405, "next second");
    log.close();
    List<String> lines = bytes.toString(StandardCharsets.UTF_8).lines().toList();
    assertEquals(SourceLineLimit.PER_SECOND + 1, lines.size(), String.join("\n", lines));
    String last = lines.get(lines.size() - 1);
    assertTrue(
        last.matches(
            "\\{\"ts\":\"[^\"]+\",\"event\":\"handshake_rejected\",\"client\":\"198\\.51\\.100\\.2\","
                + "\"route\":\"/\",\"suppressed\":16,\"action\":\"refuse\",.*\"detail\":\"next"
                + " second\"}}"),
        last);
  }
}
