package io.wssguard.observe;

import java.io.PrintStream;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Writes JSON lines to stdout (journald) from a daemon thread, so an IO thread that reports an
 * event never blocks on the pipe. The queue is bounded: under a flood of events (a scan of
 * malformed handshakes) lines beyond it are dropped and counted ({@code
 * wssguard_log_lines_dropped_total}) rather than buffered without end.
 */
final class JsonLog implements AutoCloseable {
  static final int CAPACITY = 8192;
  private static final String STOP = new String("stop");

  private final BlockingQueue<String> queue = new ArrayBlockingQueue<>(CAPACITY);
  private final PrintStream out;
  private final AtomicLong dropped = new AtomicLong();
  private final Thread writer;

  JsonLog(PrintStream out) {
    this.out = out;
    this.writer = new Thread(this::writeLoop, "wssguard-event-log");
    writer.setDaemon(true);
    writer.start();
  }

  void write(String line) {
    if (!queue.offer(line)) {
      dropped.incrementAndGet();
    }
  }

  long dropped() {
    return dropped.get();
  }

  // STOP is a private instance put on the queue to end the loop: identity is the point.
  @SuppressWarnings("ReferenceEquality")
  private void writeLoop() {
    try {
      while (true) {
        String line = queue.take();
        if (line == STOP) {
          return;
        }
        out.println(line);
        if (queue.isEmpty()) {
          out.flush();
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Writes what is queued, then stops the writer (waits up to a second). */
  @Override
  public void close() {
    try {
      queue.put(STOP);
      writer.join(1000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    out.flush();
  }
}
