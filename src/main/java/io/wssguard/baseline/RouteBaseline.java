package io.wssguard.baseline;

import java.util.EnumMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What one route's traffic looked like: for each {@link Measure}, the distribution of every sample,
 * and two distributions over sources (each source's own p99, each source's largest), so that a
 * consumer can ask what the <em>typical source</em> did (the median over sources) rather than what
 * the global tail did: a minority of abusive sources moves the global p99, not the median source.
 *
 * <p>Fed with plain observations, from a recording replayed or from the live proxy: handshakes and
 * connection ends as they happen ({@link #handshake}, {@link #closed}), each connection's message
 * counts per {@link #WINDOW_MS} window ({@link #connectionWindow}), message sizes ({@link
 * #message}). A source's own figures are kept while it is active (at most {@code maxSources} at a
 * time; later ones feed only the all-samples distributions) and folded into the per-source
 * distributions when it has been idle a while ({@link #foldIdle}) or at the end ({@link #foldAll}).
 * A source that comes back after being folded counts again: per-source figures are per spell of
 * activity.
 *
 * <p>Figures are trustworthy only with enough traffic behind them: see {@link Coverage#enough()}.
 * One thread feeds a baseline; it is not thread-safe. Sources are kept in the order they came, so
 * the same observations give the same figures.
 */
public final class RouteBaseline {
  /** The window over which rates are counted. */
  public static final long WINDOW_MS = 1000;

  /** Sources watched at once by default; up to 20 KB each. */
  public static final int DEFAULT_MAX_SOURCES = 1024;

  /** Before this many sources were folded, per-source figures say little. */
  public static final long MIN_SOURCES = 10;

  /** Before this many connections were seen, per-connection figures say little. */
  public static final long MIN_CONNECTIONS = 20;

  /** A per-source figure: each source's own p99, or its largest sample. */
  public enum PerSource {
    P99,
    MAX
  }

  /**
   * How much traffic is behind the figures.
   *
   * @param connections connections opened (handshakes answered 101)
   * @param sources sources folded into the per-source figures (a source per spell of activity)
   * @param windows connection windows in which a message went either way
   * @param messages client-to-backend messages whose size was counted
   */
  public record Coverage(long connections, long sources, long windows, long messages) {
    /** Whether there is enough to act on ({@link #MIN_SOURCES}, {@link #MIN_CONNECTIONS}). */
    public boolean enough() {
      return sources >= MIN_SOURCES && connections >= MIN_CONNECTIONS;
    }
  }

  /** A measure's three distributions. */
  static final class Figures {
    final Distribution all = Distribution.forRoute();
    final Distribution p99 = Distribution.forRoute();
    final Distribution max = Distribution.forRoute();

    Figures() {}

    Figures(Distribution all, Distribution p99, Distribution max) {
      this.all.merge(all);
      this.p99.merge(p99);
      this.max.merge(max);
    }

    void merge(Figures other) {
      all.merge(other.all);
      p99.merge(other.p99);
      max.merge(other.max);
    }
  }

  private final Map<Measure, Figures> figures = new EnumMap<>(Measure.class);
  private final Map<String, SourceSummary> active = new LinkedHashMap<>();
  private final int maxSources;
  private long connections;
  private long sources;
  private long windows;
  private long messages;
  private long unwatched;

  public RouteBaseline() {
    this(DEFAULT_MAX_SOURCES);
  }

  public RouteBaseline(int maxSources) {
    this.maxSources = maxSources;
    for (Measure m : Measure.values()) {
      figures.put(m, new Figures());
    }
  }

  // ---- feeding ----

  /**
   * A handshake from {@code source}; {@code opened} when it became a connection (answered 101),
   * which then counts as open until {@link #closed}.
   */
  public void handshake(String source, long epochMs, boolean opened) {
    if (opened) {
      connections++;
    }
    SourceSummary s = watch(source, epochMs);
    if (s == null) {
      return;
    }
    long window = Math.floorDiv(epochMs, WINDOW_MS);
    if (window != s.handshakeWindow) {
      endHandshakeWindow(s);
      s.handshakeWindow = window;
    }
    s.handshakesInWindow++;
    sample(s, Measure.CONNECTIONS, s.open + 1);
    if (opened) {
      s.open++;
    }
  }

  /** A connection of {@code source} (one {@link #handshake} opened) ended. */
  public void closed(String source, long epochMs) {
    SourceSummary s = active.get(source);
    if (s != null) {
      s.open = Math.max(0, s.open - 1);
      s.lastEpochMs = Math.max(s.lastEpochMs, epochMs);
    }
  }

  /**
   * One connection's messages over one {@link #WINDOW_MS} window: client-to-backend ({@code
   * fromClient}) and backend-to-client. A window with none either way is not a sample.
   */
  public void connectionWindow(String source, long fromClient, long fromBackend) {
    if (fromClient == 0 && fromBackend == 0) {
      return;
    }
    windows++;
    SourceSummary s = active.get(source);
    if (fromClient > 0) {
      sample(s, Measure.MESSAGE_RATE, fromClient * 1000.0 / WINDOW_MS);
    }
    if (fromBackend > 0) {
      sample(s, Measure.BACKEND_MESSAGE_RATE, fromBackend * 1000.0 / WINDOW_MS);
    }
  }

  /** One whole client-to-backend message of {@code bytes} from {@code source}. */
  public void message(String source, long bytes) {
    messages++;
    sample(active.get(source), Measure.MESSAGE_BYTES, (double) bytes);
  }

  /** Folds the sources with no open connection and nothing seen since {@code idleMs} ago. */
  public void foldIdle(long epochMs, long idleMs) {
    for (Iterator<SourceSummary> it = active.values().iterator(); it.hasNext(); ) {
      SourceSummary s = it.next();
      if (s.open == 0 && epochMs - s.lastEpochMs >= idleMs) {
        fold(s);
        it.remove();
      }
    }
  }

  /** Folds every source watched (at the end of a recording, or before a figure is read). */
  public void foldAll() {
    active.values().forEach(this::fold);
    active.clear();
  }

  /**
   * A copy of the folded figures with every source still watched folded into the copy too, leaving
   * this baseline as it was (its sources keep being watched): what to save while learning goes on.
   * A source's handshakes in the second under way are left out.
   */
  public RouteBaseline foldedCopy() {
    RouteBaseline copy = new RouteBaseline(maxSources);
    copy.merge(this);
    for (SourceSummary s : active.values()) {
      copy.sources++;
      copy.foldFigures(s);
    }
    return copy;
  }

  /** Adds {@code other}'s folded figures and counts to this one's (another node, a saved file). */
  public void merge(RouteBaseline other) {
    figures.forEach((m, f) -> f.merge(other.figures.get(m)));
    connections += other.connections;
    sources += other.sources;
    windows += other.windows;
    messages += other.messages;
  }

  private SourceSummary watch(String source, long epochMs) {
    SourceSummary s = active.get(source);
    if (s == null) {
      if (active.size() >= maxSources) {
        unwatched++;
        return null;
      }
      s = new SourceSummary();
      active.put(source, s);
    }
    s.lastEpochMs = Math.max(s.lastEpochMs, epochMs);
    return s;
  }

  private void sample(SourceSummary s, Measure m, double value) {
    figures.get(m).all.add(value);
    if (s != null) {
      s.add(m, value);
    }
  }

  private void endHandshakeWindow(SourceSummary s) {
    if (s.handshakesInWindow > 0) {
      sample(s, Measure.HANDSHAKE_RATE, s.handshakesInWindow * 1000.0 / WINDOW_MS);
      s.handshakesInWindow = 0;
    }
  }

  private void fold(SourceSummary s) {
    endHandshakeWindow(s);
    sources++;
    foldFigures(s);
  }

  private void foldFigures(SourceSummary s) {
    for (Measure m : Measure.values()) {
      Distribution own = s.own(m);
      if (own != null) {
        Figures f = figures.get(m);
        f.p99.add(own.quantile(0.99));
        f.max.add(own.max());
      }
    }
  }

  // ---- figures ----

  /** Every sample of {@code m} (the global distribution, abusers included). */
  public Distribution all(Measure m) {
    return figures.get(m).all;
  }

  /** One value per folded source: its own p99 or its largest sample of {@code m}. */
  public Distribution perSource(Measure m, PerSource which) {
    Figures f = figures.get(m);
    return which == PerSource.P99 ? f.p99 : f.max;
  }

  /**
   * What the typical source did: the median over sources of each one's {@code which} figure of
   * {@code m}. Robust to any minority of sources far off (abusive ones); NaN when none.
   */
  public double typical(Measure m, PerSource which) {
    return perSource(m, which).quantile(0.5);
  }

  /** How much traffic is behind the figures. */
  public Coverage coverage() {
    return new Coverage(connections, sources, windows, messages);
  }

  /** Sources watched now (not yet folded). */
  public int watching() {
    return active.size();
  }

  /** Handshakes from sources not watched because {@code maxSources} were already. */
  public long unwatched() {
    return unwatched;
  }

  Figures figures(Measure m) {
    return figures.get(m);
  }

  void restore(Measure m, Figures f) {
    figures.put(m, f);
  }

  void restore(Coverage c) {
    connections = c.connections();
    sources = c.sources();
    windows = c.windows();
    messages = c.messages();
  }
}
