package io.wssguard.console;

import io.wssguard.observe.MetricsSample;
import io.wssguard.observe.Observability;
import io.wssguard.observe.TopSources;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The console's last 15 minutes: once a second, one thread of its own reads the counters the
 * metrics already keep ({@link MetricsSample}) and the top-source tables, and keeps them in a ring.
 *
 * <p>Kept here rather than in the browser so that a console opened now shows the last 15 minutes at
 * once, and several open consoles cost one reading a second, not one each. Nothing is added to the
 * relay: the counters are the ones {@code /metrics} serves (flushed by each relay's timer), read
 * off the IO threads. Memory: 901 samples of a few dozen numbers per route, about 1-2 MB.
 */
public final class History implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(History.class.getName());

  /** How far back the charts go, in one-second samples. */
  public static final int SECONDS = 900;

  /** Top sources' rates are over this many seconds. */
  static final int RATE_SECONDS = 10;

  static final int TOP_TRACKED = 100;

  private final Observability observe;
  private final LongSupplier millis;
  private final MetricsSample[] ring = new MetricsSample[SECONDS + 1];
  private int next;
  private int size;

  @SuppressWarnings("unchecked") // a generic array of one element type, never exposed
  private final Map<String, Long>[][] tops = new Map[2][RATE_SECONDS + 1];

  private final long[] topAt = new long[RATE_SECONDS + 1];
  private int topNext;
  private int topSize;
  private final ScheduledExecutorService timer;
  private final ScheduledFuture<?> task;

  History(Observability observe, LongSupplier millis, boolean run) {
    this.observe = observe;
    this.millis = millis;
    if (run) {
      timer =
          Executors.newSingleThreadScheduledExecutor(
              r -> {
                Thread t = new Thread(r, "wssguard-console");
                t.setDaemon(true);
                return t;
              });
      task = timer.scheduleAtFixedRate(this::sampleQuietly, 0, 1, TimeUnit.SECONDS);
    } else {
      timer = null;
      task = null;
    }
  }

  /** Starts sampling {@code observe} once a second. */
  public static History start(Observability observe) {
    return new History(observe, System::currentTimeMillis, true);
  }

  private void sampleQuietly() {
    try {
      sample();
    } catch (RuntimeException e) {
      // One bad reading must not end the schedule.
      LOG.log(Level.WARNING, "console sample failed", e);
    }
  }

  /** Takes one reading (the timer's work; tests call it directly). */
  void sample() {
    MetricsSample s = observe.metrics().sample();
    Map<String, Long> messages = counts(observe.topMessages());
    Map<String, Long> violations = counts(observe.topViolations());
    synchronized (this) {
      ring[next] = s;
      next = (next + 1) % ring.length;
      size = Math.min(size + 1, ring.length);
      tops[0][topNext] = messages;
      tops[1][topNext] = violations;
      topAt[topNext] = millis.getAsLong();
      topNext = (topNext + 1) % topAt.length;
      topSize = Math.min(topSize + 1, topAt.length);
    }
  }

  private static Map<String, Long> counts(TopSources table) {
    Map<String, Long> m = new HashMap<>();
    for (TopSources.Entry e : table.top(TOP_TRACKED)) {
      m.put(e.source(), e.count());
    }
    return m;
  }

  /** The samples held, oldest first. */
  public synchronized List<MetricsSample> samples() {
    List<MetricsSample> out = new ArrayList<>(size);
    for (int i = 0; i < size; i++) {
      out.add(ring[(next - size + i + ring.length) % ring.length]);
    }
    return out;
  }

  /**
   * Per second over the last {@link #RATE_SECONDS} seconds (or as long as sampled): {@code
   * source}'s messages ({@code violations} false) or violations; 0 when not known.
   */
  public synchronized double rate(String source, boolean violations) {
    if (topSize < 2) {
      return 0;
    }
    int newest = (topNext - 1 + topAt.length) % topAt.length;
    int oldest = (topNext - topSize + topAt.length) % topAt.length;
    int k = violations ? 1 : 0;
    Long now = tops[k][newest].get(source);
    if (now == null) {
      return 0;
    }
    long then = tops[k][oldest].getOrDefault(source, 0L);
    double seconds = (topAt[newest] - topAt[oldest]) / 1000.0;
    return seconds <= 0 ? 0 : Math.max(0, now - then) / seconds;
  }

  @Override
  public void close() {
    if (task != null) {
      task.cancel(false);
      timer.shutdownNow();
    }
  }
}
