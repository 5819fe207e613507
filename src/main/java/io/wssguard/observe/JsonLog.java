package io.wssguard.observe;

import java.io.PrintStream;
import java.util.Queue;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Writes JSON lines to stdout (journald) from a daemon thread, so an IO thread that reports an
 * event never blocks on the pipe. Two lanes:
 *
 * <ul>
 *   <li>{@link #write}: the bounded queue. Under a flood of events (a scan of malformed handshakes)
 *       lines beyond it are dropped and counted ({@code wssguard_log_lines_dropped_total}) rather
 *       than buffered without end.
 *   <li>{@link #writeImportant}: strikes, bans, unbans and reloads, which fail2ban and SIEMs act
 *       on. They are never dropped and are written before any waiting line of the other lane. Their
 *       queue has no bound, but their number has: a source earns a handful of strikes before it is
 *       banned and refused at accept.
 * </ul>
 */
final class JsonLog implements AutoCloseable {
  static final int CAPACITY = 8192;
  private static final String STOP = new String("stop");

  /** Put in the bounded lane to wake the writer for an important line. */
  private static final String WAKE = new String("wake");

  private final BlockingQueue<String> queue = new ArrayBlockingQueue<>(CAPACITY);
  private final Queue<String> important = new ConcurrentLinkedQueue<>();
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

  /** Never dropped: see the class comment. */
  void writeImportant(String line) {
    important.add(line);
    // A full queue needs no wake-up: the writer is busy and looks at this lane before each line.
    queue.offer(WAKE);
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
        writeImportantLines();
        if (line == STOP) {
          out.flush();
          return;
        }
        if (line != WAKE) {
          out.println(line);
        }
        if (queue.isEmpty()) {
          out.flush();
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void writeImportantLines() {
    for (String line = important.poll(); line != null; line = important.poll()) {
      out.println(line);
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
