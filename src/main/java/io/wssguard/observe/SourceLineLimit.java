package io.wssguard.observe;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * At most {@link #PER_SECOND} rejection lines per source address per second in the event log; the
 * rest are counted ({@code wssguard_log_lines_suppressed_total}) and the next line let through for
 * that source says how many of its lines were left out ({@code "suppressed":N}). One scanner then
 * cannot fill the log's queue and push out everybody else's lines, and journald keeps what an
 * operator needs: who, what, and how much more.
 *
 * <p>Sources live in a bounded Caffeine cache; one evicted under a flood of sources starts again
 * with a fresh second, which bounds nothing worse than the log's own queue does. Only rejections go
 * through here, never an accepted connection.
 */
final class SourceLineLimit {
  static final int PER_SECOND = 10;
  private static final long SECOND = TimeUnit.SECONDS.toNanos(1);

  private static final class Window {
    long start;
    int lines;
    long suppressed;
  }

  private final Cache<String, Window> sources = Caffeine.newBuilder().maximumSize(16_384).build();
  private final LongAdder suppressed = new LongAdder();

  /**
   * -1 when the line for {@code source} at {@code nowNanos} is to be left out; otherwise how many
   * of its lines were left out since the last one written.
   */
  long admit(String source, long nowNanos) {
    if (source == null) {
      return 0;
    }
    Window w =
        sources.get(
            source,
            k -> {
              Window fresh = new Window();
              fresh.start = nowNanos;
              return fresh;
            });
    synchronized (w) {
      if (nowNanos - w.start >= SECOND) {
        w.start = nowNanos;
        w.lines = 0;
      }
      if (w.lines >= PER_SECOND) {
        w.suppressed++;
        suppressed.increment();
        return -1;
      }
      w.lines++;
      long left = w.suppressed;
      w.suppressed = 0;
      return left;
    }
  }

  long suppressed() {
    return suppressed.sum();
  }
}
