package io.wssguard.anomaly;

import io.wssguard.baseline.Baselines;
import io.wssguard.baseline.Figure;
import io.wssguard.baseline.Measure;
import io.wssguard.baseline.RouteBaseline;
import io.wssguard.event.SecurityEvents;
import io.wssguard.frame.CloseCodes;
import io.wssguard.limit.CompiledPolicy;
import io.wssguard.limit.Enforcer;
import io.wssguard.limit.PolicyView;
import io.wssguard.limit.SourceState;
import io.wssguard.policy.AnomalyRule;
import io.wssguard.time.Ticker;
import java.net.InetAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The proxy's live route baselines and the {@code anomaly:} rules that compare connections with
 * them, all on one thread ({@code wssguard-baselines}) that wakes once per {@link
 * RouteBaseline#WINDOW_MS}.
 *
 * <p><b>Feeding without touching the hot path.</b> The relay's frame inspectors count messages in
 * plain fields anyway; once a window this thread reads each open connection's counts ({@link
 * WatchedConnection}) and turns the growth into that window's per-connection rates. The value read
 * may lag the IO thread's by a little (a plain field, no fence on the relay's side): it is a
 * statistic, and what one window misses the next one sees. Connections opening and closing are
 * handed over from the IO threads through a bounded lock-free queue; when it is full an observation
 * is dropped and counted ({@link #dropped()}), never waited for.
 *
 * <p><b>Sliding: rotating epochs.</b> Time is cut into epochs ({@link #DEFAULT_EPOCH_MS}, aligned
 * on multiples of their length). Each route learns the epoch under way; rules compare against the
 * last completed epoch (the <em>reference</em>), which the epoch under way replaces when it ends.
 * So nothing older than two epochs counts, and the figures a rule compares with do not move while
 * it watches. A connection open across the end of an epoch counts in the next one too. Windows of a
 * connection a rule has fired on are not learnt, so a flagged abuser does not teach the baseline.
 *
 * <p><b>Acting.</b> A rule is inactive while its route's reference lacks traffic ({@link
 * RouteBaseline.Coverage#enough()}) or the figure it names. A connection whose measure stays above
 * the rule's threshold for the rule's {@code for} fires it: a security event and a metric naming
 * the rule and the figure, and the rule's response through the enforcer (strike, ban) or the relay
 * (close); then it is watched afresh. A policy in monitor mode only reports.
 *
 * <p><b>Persistence</b> is {@link BaselineFiles}'s: loaded at construction, the learning epoch
 * saved every {@link #SAVE_EVERY_MS} and at {@link #close()}, the reference when an epoch ends.
 */
public final class AnomalyWatch implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(AnomalyWatch.class.getName());

  /** One epoch: a day, so daily patterns are learnt whole. */
  public static final long DEFAULT_EPOCH_MS = TimeUnit.DAYS.toMillis(1);

  /** How often the epoch under way is saved. */
  public static final long SAVE_EVERY_MS = TimeUnit.MINUTES.toMillis(5);

  /** Open-and-close observations waiting for the watch's thread at most. */
  public static final int QUEUE_CAPACITY = 65_536;

  /** A source with nothing open and nothing new for this long is folded into the route figures. */
  static final long IDLE_MS = TimeUnit.MINUTES.toMillis(1);

  /** Sources listed per rule in {@link RuleStatus#flagged()}. */
  static final int FLAGGED_LISTED = 32;

  /** One live connection: set up on its IO thread, watched on the watch's thread. */
  public static final class Watched {
    final String route;
    final PolicyView policy;
    final SourceState source;
    final InetAddress client;
    final String sourceText;
    final WatchedConnection connection;
    volatile boolean closed;
    // The watch's thread only:
    boolean registered;
    boolean flagged;
    long lastUp;
    long lastDown;
    CompiledPolicy seenPolicy;
    int[] windowsAbove;

    Watched(
        String route,
        PolicyView policy,
        SourceState source,
        InetAddress client,
        WatchedConnection connection) {
      this.route = route;
      this.policy = policy;
      this.source = source;
      this.client = client;
      this.sourceText = client.getHostAddress();
      this.connection = connection;
    }
  }

  /** What one route knows: the epoch being learnt, the reference, and its rules' tallies. */
  private static final class RouteState {
    RouteBaseline learning;
    RouteBaseline reference;

    /** The reference's figures, computed once per reference; NaN where it has none. */
    final Map<Measure, Map<Figure, Double>> figures = new EnumMap<>(Measure.class);

    final Map<String, Tally> tallies = new HashMap<>();

    RouteState(RouteBaseline learning, RouteBaseline reference) {
      this.learning = learning;
      reference(reference);
    }

    void reference(RouteBaseline b) {
      reference = b;
      for (Measure m : Measure.values()) {
        Map<Figure, Double> of = new EnumMap<>(Figure.class);
        for (Figure f : Figure.values()) {
          of.put(f, f.of(b, m));
        }
        figures.put(m, of);
      }
    }

    double figure(AnomalyRule rule) {
      return figures.get(rule.measure()).get(rule.figure());
    }

    Tally tally(String policy, String rule) {
      return tallies.computeIfAbsent(policy + '\0' + rule, k -> new Tally());
    }
  }

  /** How often a rule fired on a route, and on whom lately. */
  private static final class Tally {
    long fired;
    final LinkedHashSet<String> flagged = new LinkedHashSet<>();

    void fired(String source) {
      fired++;
      flagged.remove(source);
      flagged.add(source);
      if (flagged.size() > FLAGGED_LISTED) {
        Iterator<String> oldest = flagged.iterator();
        oldest.next();
        oldest.remove();
      }
    }
  }

  private final Ticker ticker;
  private final Enforcer enforcer;
  private final SecurityEvents events;
  private final BaselineFiles files;
  private final long epochMs;
  private final Supplier<Map<String, PolicyView>> routes;
  private final Queue<Watched> handoff = new ConcurrentLinkedQueue<>();
  private final AtomicInteger queued = new AtomicInteger();
  private final LongAdder dropped = new LongAdder();

  // The watch's thread only (and the constructor, and close() after the thread stopped):
  private final Map<String, RouteState> byRoute = new LinkedHashMap<>();
  private final List<Watched> open = new ArrayList<>();
  private long epoch;
  private long lastTickNanos;
  private long lastSaveMs;

  private volatile List<RouteStatus> status = List.of();
  private ScheduledExecutorService thread;

  /**
   * @param stateDir where the baselines are saved (the ban journal's directory), or null to learn
   *     in memory only
   * @param routes each route's label and policy, as configured now (reloads included)
   */
  public AnomalyWatch(
      Ticker ticker,
      Enforcer enforcer,
      Path stateDir,
      long epochMs,
      Supplier<Map<String, PolicyView>> routes) {
    this.ticker = ticker;
    this.enforcer = enforcer;
    this.events = enforcer.events();
    this.files = stateDir == null ? null : BaselineFiles.in(stateDir);
    this.epochMs = epochMs;
    this.routes = routes;
    long now = ticker.instant().toEpochMilli();
    this.epoch = Math.floorDiv(now, epochMs);
    this.lastTickNanos = ticker.nanos();
    this.lastSaveMs = now;
    if (files != null) {
      BaselineFiles.Loaded loaded = files.load(now, epochMs);
      for (String r : union(loaded.reference(), loaded.learning())) {
        byRoute.put(r, new RouteState(copyOf(loaded.learning(), r), copyOf(loaded.reference(), r)));
      }
    }
    publishStatus();
  }

  private static List<String> union(Baselines a, Baselines b) {
    LinkedHashSet<String> all = new LinkedHashSet<>(a.routes().keySet());
    all.addAll(b.routes().keySet());
    return List.copyOf(all);
  }

  private static RouteBaseline copyOf(Baselines b, String route) {
    RouteBaseline copy = new RouteBaseline();
    RouteBaseline found = b.routes().get(route);
    if (found != null) {
      copy.merge(found);
    }
    return copy;
  }

  /** Runs {@link #tick()} once a window on its own thread until {@link #close()}. */
  public synchronized void start() {
    if (thread != null) {
      return;
    }
    thread =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "wssguard-baselines");
              t.setDaemon(true);
              return t;
            });
    var unused =
        thread.scheduleAtFixedRate(
            this::safeTick,
            RouteBaseline.WINDOW_MS,
            RouteBaseline.WINDOW_MS,
            TimeUnit.MILLISECONDS);
  }

  private void safeTick() {
    try {
      tick();
    } catch (RuntimeException e) {
      LOG.log(Level.WARNING, "baseline window failed", e);
    }
  }

  // ---- from the IO threads ----

  /**
   * A connection was opened on {@code route}: watched from the next window on. Returns its handle
   * for {@link #closed}, or null when the hand-over queue was full (counted in {@link #dropped()}).
   */
  public Watched opened(
      String route,
      PolicyView policy,
      SourceState source,
      InetAddress client,
      WatchedConnection connection) {
    Watched w = new Watched(route, policy, source, client, connection);
    return offer(w) ? w : null;
  }

  /** The connection of {@code w} has ended (null: it was never watched). */
  public void closed(Watched w) {
    if (w == null) {
      return;
    }
    w.closed = true;
    offer(w); // if dropped, the watch sees the flag at its next window anyway
  }

  private boolean offer(Watched w) {
    if (queued.incrementAndGet() > QUEUE_CAPACITY) {
      queued.decrementAndGet();
      dropped.increment();
      return false;
    }
    handoff.add(w);
    return true;
  }

  /** Observations dropped because the hand-over queue was full. */
  public long dropped() {
    return dropped.sum();
  }

  // ---- the watch's thread ----

  /** One window: hand-overs, each open connection's rates and rules, epoch end, saving. */
  public void tick() {
    long nowMs = ticker.instant().toEpochMilli();
    long nanos = ticker.nanos();
    long elapsedMs = Math.max(1, (nanos - lastTickNanos) / 1_000_000);
    lastTickNanos = nanos;
    long nowEpoch = Math.floorDiv(nowMs, epochMs);
    if (nowEpoch != epoch) {
      rotate(nowEpoch, nowMs);
    }
    for (Watched w; (w = handoff.poll()) != null; ) {
      queued.decrementAndGet();
      if (!w.registered && !w.closed) {
        w.registered = true;
        w.lastUp = w.connection.messagesFromClient();
        w.lastDown = w.connection.messagesFromBackend();
        route(w.route).learning.handshake(w.sourceText, nowMs, true);
        open.add(w);
      }
    }
    for (Iterator<Watched> it = open.iterator(); it.hasNext(); ) {
      Watched w = it.next();
      window(w, elapsedMs);
      if (w.closed) {
        route(w.route).learning.closed(w.sourceText, nowMs);
        it.remove();
      }
    }
    for (RouteState r : byRoute.values()) {
      r.learning.foldIdle(nowMs, IDLE_MS);
    }
    if (files != null && nowMs - lastSaveMs >= SAVE_EVERY_MS) {
      saveLearning(nowMs);
    }
    publishStatus();
  }

  private RouteState route(String label) {
    return byRoute.computeIfAbsent(
        label, l -> new RouteState(new RouteBaseline(), new RouteBaseline()));
  }

  /** One connection's window: its rates, learnt unless flagged, then its rules. */
  private void window(Watched w, long elapsedMs) {
    long up = w.connection.messagesFromClient();
    long down = w.connection.messagesFromBackend();
    long dUp = Math.max(0, up - w.lastUp);
    long dDown = Math.max(0, down - w.lastDown);
    w.lastUp = up;
    w.lastDown = down;
    // A late wake-up spans more than one window: count it as one window's worth.
    double scale = (double) RouteBaseline.WINDOW_MS / elapsedMs;
    long upWindow = Math.round(dUp * scale);
    long downWindow = Math.round(dDown * scale);
    RouteState r = route(w.route);
    if (!w.flagged) {
      r.learning.connectionWindow(w.sourceText, upWindow, downWindow);
    }
    CompiledPolicy p = w.policy.current();
    if (p == null || p.anomalies.isEmpty() || w.closed) {
      return;
    }
    if (p != w.seenPolicy) {
      w.seenPolicy = p;
      w.windowsAbove = new int[p.anomalies.size()];
    }
    if (!r.reference.coverage().enough()) {
      return;
    }
    double perSecond = 1000.0 / RouteBaseline.WINDOW_MS;
    for (int i = 0; i < p.anomalies.size(); i++) {
      AnomalyRule rule = p.anomalies.get(i);
      double figure = r.figure(rule);
      if (Double.isNaN(figure)) {
        continue;
      }
      double threshold = rule.factor() * figure;
      double value = (rule.measure() == Measure.MESSAGE_RATE ? upWindow : downWindow) * perSecond;
      w.windowsAbove[i] = value > threshold ? w.windowsAbove[i] + 1 : 0;
      if (w.windowsAbove[i] * RouteBaseline.WINDOW_MS >= rule.sustain().toMillis()) {
        w.windowsAbove[i] = 0;
        fire(w, r, p, rule, value, figure, threshold);
      }
    }
  }

  private void fire(
      Watched w,
      RouteState r,
      CompiledPolicy p,
      AnomalyRule rule,
      double value,
      double figure,
      double threshold) {
    w.flagged = true;
    boolean enforced = !p.monitor && rule.response() != AnomalyRule.Response.MONITOR;
    r.tally(p.name(), rule.name()).fired(w.sourceText);
    events.anomaly(
        w.client,
        w.route,
        p.name(),
        enforced,
        rule.limitName(),
        rule.response().id(),
        AnomalyRule.key(rule.measure()),
        value,
        rule.figure().id(),
        figure,
        threshold);
    if (!enforced) {
      return;
    }
    switch (rule.response()) {
      case STRIKE -> {
        if (w.source != null) {
          enforcer.strike(w.source, p, w.client, rule.limitName());
        }
      }
      case CLOSE -> w.connection.close(rule.closeCode(), rule.limitName());
      case BAN -> {
        enforcer.ban(
            p,
            w.client,
            rule.banFor(),
            rule.limitName()
                + ": "
                + AnomalyRule.key(rule.measure())
                + " above "
                + rule.threshold()
                + " for "
                + rule.sustain().toSeconds()
                + "s (policy "
                + p.name()
                + ")",
            "anomaly");
        w.connection.close(CloseCodes.POLICY_VIOLATION, rule.limitName());
      }
      case MONITOR -> {}
    }
  }

  /** The epoch under way has ended: it becomes the reference; open connections start the next. */
  private void rotate(long nowEpoch, long nowMs) {
    boolean adjacent = nowEpoch == epoch + 1;
    epoch = nowEpoch;
    Baselines saved = new Baselines();
    for (Map.Entry<String, RouteState> e : byRoute.entrySet()) {
      RouteState r = e.getValue();
      r.learning.foldAll();
      // After a gap of more than one epoch (a suspended machine) the last one learnt is too old.
      r.reference(adjacent ? r.learning : new RouteBaseline());
      r.learning = new RouteBaseline();
      saved.route(e.getKey()).merge(r.reference);
    }
    for (Watched w : open) {
      if (!w.closed) {
        route(w.route).learning.handshake(w.sourceText, nowMs, true);
      }
    }
    if (files != null) {
      files.saveReference(saved);
      saveLearning(nowMs);
    }
  }

  private void saveLearning(long nowMs) {
    lastSaveMs = nowMs;
    Baselines learning = new Baselines();
    byRoute.forEach((label, r) -> learning.route(label).merge(r.learning.foldedCopy()));
    files.saveLearning(learning);
  }

  // ---- status ----

  /** A route's baselines and rules, as of the last window (for {@code /status}). */
  public record RouteStatus(
      String route,
      RouteBaseline.Coverage reference,
      RouteBaseline.Coverage learning,
      List<RuleStatus> rules) {}

  /**
   * One rule as its route applies it now.
   *
   * @param active whether it can fire: its route's reference has enough traffic and the figure
   * @param figureValue the reference's figure (NaN when it has none), {@code threshold} the rule's
   *     multiple of it
   * @param flagged the sources it fired on lately, oldest first (at most {@value #FLAGGED_LISTED})
   */
  public record RuleStatus(
      String policy,
      AnomalyRule rule,
      boolean active,
      double figureValue,
      double threshold,
      long fired,
      List<String> flagged) {}

  /** Every route with rules or a baseline, as of the last window. */
  public List<RouteStatus> status() {
    return status;
  }

  private void publishStatus() {
    Map<String, PolicyView> configured = routes.get();
    LinkedHashSet<String> labels = new LinkedHashSet<>(configured.keySet());
    labels.addAll(byRoute.keySet());
    List<RouteStatus> out = new ArrayList<>();
    for (String label : labels) {
      RouteState r = byRoute.get(label);
      RouteBaseline.Coverage none = new RouteBaseline.Coverage(0, 0, 0, 0);
      RouteBaseline.Coverage reference = r == null ? none : r.reference.coverage();
      List<RuleStatus> rules = new ArrayList<>();
      PolicyView view = configured.get(label);
      CompiledPolicy p = view == null ? null : view.current();
      if (p != null) {
        for (AnomalyRule rule : p.anomalies) {
          double figure = r == null ? Double.NaN : r.figure(rule);
          Tally t = r == null ? null : r.tallies.get(p.name() + '\0' + rule.name());
          rules.add(
              new RuleStatus(
                  p.name(),
                  rule,
                  reference.enough() && !Double.isNaN(figure),
                  figure,
                  rule.factor() * figure,
                  t == null ? 0 : t.fired,
                  t == null ? List.of() : List.copyOf(t.flagged)));
        }
      }
      out.add(
          new RouteStatus(
              label, reference, r == null ? none : r.learning.coverage(), List.copyOf(rules)));
    }
    status = List.copyOf(out);
  }

  /** Stops the thread and saves the epoch under way. */
  @Override
  public void close() {
    ScheduledExecutorService t;
    synchronized (this) {
      t = thread;
      thread = null;
    }
    if (t != null) {
      t.shutdownNow();
      try {
        if (!t.awaitTermination(5, TimeUnit.SECONDS)) {
          LOG.warning("baseline thread still busy after 5 s; saving anyway");
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    if (files != null) {
      saveLearning(ticker.instant().toEpochMilli());
    }
  }
}
