package io.wssguard.console;

import io.wssguard.config.RouteConfig;
import io.wssguard.net.Cidr;
import io.wssguard.observe.JsonText;
import io.wssguard.observe.Metrics;
import io.wssguard.observe.MetricsSample;
import io.wssguard.observe.Observability;
import io.wssguard.observe.PolicyReloads;
import io.wssguard.observe.RecentEvents;
import io.wssguard.observe.TopSources;
import io.wssguard.policy.Mode;
import io.wssguard.policy.Policy;
import io.wssguard.policy.PolicyExplanation;
import io.wssguard.policy.PolicySet;
import java.net.InetAddress;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Supplier;

/**
 * The console's views as JSON: overview, top sources, policies, events (the bans are the admin
 * API's own {@code GET /bans}). Built from what the proxy already keeps (the metrics, the
 * top-source tables, the per-source state, the policies, the security log's last lines), on an
 * admin worker when asked. Every string here may come from an attacker (addresses, routes, reasons,
 * Origin values in details): the JSON is escaped by {@link JsonText}, and the page only ever puts
 * strings into the document as text.
 */
public final class ConsoleViews {
  /** Handshake outcomes grouped for the overview's chart. */
  static final List<String> BACKEND =
      List.of("backend_connect_rate", "backend_refused", "backend_failed");

  static final Set<String> POLICY =
      Set.of("policy_forbidden", "policy_rate", "policy_connections", "banned");

  private static final int MAX_EVENTS = 500;

  private final Observability observe;
  private final History history;
  private final Supplier<List<RouteConfig>> routes;
  private final Supplier<PolicySet> policies;
  private final SourceLookup sources;

  public ConsoleViews(
      Observability observe,
      History history,
      Supplier<List<RouteConfig>> routes,
      Supplier<PolicySet> policies,
      SourceLookup sources) {
    this.observe = observe;
    this.history = history;
    this.routes = routes;
    this.policies = policies;
    this.sources = sources;
  }

  // ---- overview ----

  /**
   * The overview: rates now (over the last 10 s), and per-second series of the samples taken after
   * {@code sinceMillis} (0: all 15 minutes).
   */
  public String overview(long sinceMillis) {
    List<MetricsSample> samples = history.samples();
    MetricsSample latest =
        samples.isEmpty() ? observe.metrics().sample() : samples.get(samples.size() - 1);
    MetricsSample earlier =
        samples.size() < 2 ? null : samples.get(Math.max(0, samples.size() - 11));
    JsonText j = new JsonText().beginObject().field("at", latest.atMillis());
    int open = latest.routes().stream().mapToInt(MetricsSample.Route::open).sum();
    j.field("open", open);
    j.key("handshakes").beginObject();
    for (Map.Entry<String, Long> e : latest.handshakes().entrySet()) {
      double r =
          rate(
              e.getValue(),
              earlier == null ? null : earlier.handshakes().get(e.getKey()),
              earlier,
              latest);
      if (r > 0 || e.getKey().equals("accepted")) {
        j.field(e.getKey(), r);
      }
    }
    j.endObject();
    j.key("refusedAtAccept").beginObject();
    for (Map.Entry<String, Long> e : latest.refusedAtAccept().entrySet()) {
      double r =
          rate(
              e.getValue(),
              earlier == null ? null : earlier.refusedAtAccept().get(e.getKey()),
              earlier,
              latest);
      if (r > 0) {
        j.field(e.getKey(), r);
      }
    }
    j.endObject();
    j.field(
        "tlsPerSecond",
        rate(
            latest.tlsHandshakes().count(),
            earlier == null ? null : earlier.tlsHandshakes().count(),
            earlier,
            latest));
    j.key("routes").beginArray();
    for (MetricsSample.Route r : latest.routes()) {
      MetricsSample.Route before = earlier == null ? null : route(earlier, r.route());
      j.beginObject()
          .field("route", r.route())
          .field("open", r.open())
          .field(
              "messagesUp",
              rate(r.messagesUp(), before == null ? null : before.messagesUp(), earlier, latest))
          .field(
              "messagesDown",
              rate(
                  r.messagesDown(), before == null ? null : before.messagesDown(), earlier, latest))
          .field(
              "bytesUp",
              rate(r.bytesUp(), before == null ? null : before.bytesUp(), earlier, latest))
          .field(
              "bytesDown",
              rate(r.bytesDown(), before == null ? null : before.bytesDown(), earlier, latest))
          .endObject();
    }
    j.endArray();
    overhead(j, samples.isEmpty() ? null : samples.get(0), latest);
    j.key("backends").beginArray();
    for (MetricsSample.Backend b : latest.backends()) {
      j.beginObject()
          .field("group", b.group())
          .field("server", b.server())
          .field("up", b.up())
          .field("connections", b.connections())
          .endObject();
    }
    j.endArray();
    series(j, samples, sinceMillis);
    return j.endObject().toString();
  }

  /**
   * The measured security overhead, as the metrics sample it: frame inspection per message (1 read
   * in {@code INSPECTION_SAMPLE_EVERY} is timed), TLS handshake and policy admission per handshake;
   * over the 15 minutes held.
   */
  private static void overhead(JsonText j, MetricsSample first, MetricsSample last) {
    j.key("overhead").beginObject();
    j.key("inspectionMicrosPerMessage").beginObject();
    for (Map.Entry<String, MetricsSample.Timed> e : last.inspection().entrySet()) {
      MetricsSample.Timed before = first == null ? null : first.inspection().get(e.getKey());
      j.field(e.getKey(), perCount(e.getValue(), before, 1e6));
    }
    j.endObject();
    j.field(
        "tlsHandshakeMillis",
        perCount(last.tlsHandshakes(), first == null ? null : first.tlsHandshakes(), 1e3));
    j.field(
        "admissionMicros",
        perCount(last.admissions(), first == null ? null : first.admissions(), 1e6));
    j.endObject();
  }

  /**
   * Seconds per count between two readings (all since start when the window saw none), scaled; NaN
   * before anything was measured.
   */
  private static double perCount(MetricsSample.Timed now, MetricsSample.Timed then, double scale) {
    if (then != null && now.count() > then.count()) {
      return (now.seconds() - then.seconds()) / (now.count() - then.count()) * scale;
    }
    // Nothing measured yet: null in the JSON, a dash on the page.
    return now.count() == 0 ? Double.NaN : now.seconds() / now.count() * scale;
  }

  private static void series(JsonText j, List<MetricsSample> samples, long sinceMillis) {
    List<MetricsSample[]> pairs = new ArrayList<>();
    for (int i = 1; i < samples.size(); i++) {
      if (samples.get(i).atMillis() > sinceMillis) {
        pairs.add(new MetricsSample[] {samples.get(i - 1), samples.get(i)});
      }
    }
    Set<String> labels = new TreeSet<>();
    pairs.forEach(p -> p[1].routes().forEach(r -> labels.add(r.route())));
    j.key("series").beginObject();
    j.key("t").beginArray();
    pairs.forEach(p -> j.value((Object) p[1].atMillis()));
    j.endArray();
    j.key("open").beginArray();
    pairs.forEach(
        p ->
            j.value(
                (Object) (long) p[1].routes().stream().mapToInt(MetricsSample.Route::open).sum()));
    j.endArray();
    j.key("accepted").beginArray();
    pairs.forEach(
        p -> j.value((Object) perSecond(p, s -> s.handshakes().getOrDefault("accepted", 0L))));
    j.endArray();
    j.key("refused").beginArray();
    pairs.forEach(p -> j.value((Object) perSecond(p, ConsoleViews::refusedByPolicy)));
    j.endArray();
    j.key("malformed").beginArray();
    pairs.forEach(p -> j.value((Object) perSecond(p, ConsoleViews::malformed)));
    j.endArray();
    j.key("backendFailed").beginArray();
    pairs.forEach(p -> j.value((Object) perSecond(p, s -> sum(s.handshakes(), BACKEND))));
    j.endArray();
    j.key("tls").beginArray();
    pairs.forEach(p -> j.value((Object) perSecond(p, s -> s.tlsHandshakes().count())));
    j.endArray();
    j.key("routes").beginArray();
    for (String label : labels) {
      j.beginObject().field("route", label);
      routeSeries(j, pairs, label, "messagesUp", MetricsSample.Route::messagesUp);
      routeSeries(j, pairs, label, "messagesDown", MetricsSample.Route::messagesDown);
      routeSeries(j, pairs, label, "bytesUp", MetricsSample.Route::bytesUp);
      routeSeries(j, pairs, label, "bytesDown", MetricsSample.Route::bytesDown);
      j.endObject();
    }
    j.endArray();
    j.endObject();
  }

  private static void routeSeries(
      JsonText j,
      List<MetricsSample[]> pairs,
      String label,
      String name,
      java.util.function.ToLongFunction<MetricsSample.Route> count) {
    j.key(name).beginArray();
    for (MetricsSample[] p : pairs) {
      MetricsSample.Route a = route(p[0], label);
      MetricsSample.Route b = route(p[1], label);
      j.value(
          (Object)
              (a == null || b == null
                  ? 0.0
                  : perSecond(p, count.applyAsLong(b) - count.applyAsLong(a))));
    }
    j.endArray();
  }

  private static long refusedByPolicy(MetricsSample s) {
    long n = 0;
    for (String k : POLICY) {
      n += s.handshakes().getOrDefault(k, 0L);
    }
    for (long v : s.refusedAtAccept().values()) {
      n += v;
    }
    return n;
  }

  private static long malformed(MetricsSample s) {
    long n = 0;
    for (String k : Metrics.REJECTIONS) {
      if (!POLICY.contains(k) && !BACKEND.contains(k)) {
        n += s.handshakes().getOrDefault(k, 0L);
      }
    }
    return n;
  }

  private static long sum(Map<String, Long> m, List<String> keys) {
    long n = 0;
    for (String k : keys) {
      n += m.getOrDefault(k, 0L);
    }
    return n;
  }

  private static double perSecond(
      MetricsSample[] p, java.util.function.ToLongFunction<MetricsSample> f) {
    return perSecond(p, f.applyAsLong(p[1]) - f.applyAsLong(p[0]));
  }

  private static double perSecond(MetricsSample[] p, long delta) {
    double seconds = (p[1].atMillis() - p[0].atMillis()) / 1000.0;
    return seconds <= 0 ? 0 : Math.max(0, delta) / seconds;
  }

  private static double rate(long now, Long then, MetricsSample a, MetricsSample b) {
    if (a == null || then == null) {
      return 0;
    }
    double seconds = (b.atMillis() - a.atMillis()) / 1000.0;
    return seconds <= 0 ? 0 : Math.max(0, now - then) / seconds;
  }

  private static MetricsSample.Route route(MetricsSample s, String label) {
    for (MetricsSample.Route r : s.routes()) {
      if (r.route().equals(label)) {
        return r;
      }
    }
    return null;
  }

  // ---- top sources ----

  /**
   * The busiest and the most refused sources, {@code n} each, with what the proxy knows of them.
   */
  public String sources(int n) {
    JsonText j = new JsonText().beginObject();
    j.key("busiest").beginArray();
    for (TopSources.Entry e : observe.topMessages().top(n)) {
      source(j, e, false);
    }
    j.endArray().key("refused").beginArray();
    for (TopSources.Entry e : observe.topViolations().top(n)) {
      source(j, e, true);
    }
    j.endArray();
    return j.endObject().toString();
  }

  private void source(JsonText j, TopSources.Entry e, boolean violations) {
    InetAddress address = address(e.source());
    SourceLookup.Facts facts = address == null ? null : sources.of(address);
    j.beginObject()
        .field("source", e.source())
        .field(violations ? "violations" : "messages", e.count())
        .field("perSecond", history.rate(e.source(), violations))
        .field("route", e.route())
        .field("open", facts == null ? 0 : facts.open())
        .field("strikes", facts == null ? 0 : facts.strikes())
        .field("banned", address != null && observe.bans().isBanned(address))
        .endObject();
  }

  private static InetAddress address(String text) {
    try {
      return Cidr.parse(text).network();
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  // ---- policies ----

  /**
   * Per route, its policy in the sentences of {@code wssguard policy explain}; the last reload;
   * what monitor-mode policies would have done.
   */
  public String policies() {
    PolicySet set = policies.get();
    JsonText j = new JsonText().beginObject().key("routes").beginArray();
    for (RouteConfig r : routes.get()) {
      Policy p = set.policies().get(r.policy());
      j.beginObject().field("route", Metrics.routeLabel(r)).field("policy", r.policy());
      if (p != null) {
        j.field("mode", p.mode() == Mode.MONITOR ? "monitor" : "enforce")
            .field("source", p.file() + ":" + p.line());
        j.key("sentences").beginArray();
        PolicyExplanation.sentences(p).forEach(j::value);
        j.endArray();
      }
      j.endObject();
    }
    j.endArray();
    PolicyReloads reloads = observe.reloads();
    j.key("reload").beginObject();
    if (reloads != null) {
      String error = reloads.lastError();
      j.field("lastApplied", Instant.ofEpochMilli(reloads.lastAppliedMillis()).toString())
          .field("applied", reloads.appliedCount())
          .field("failed", reloads.failedCount())
          .field("lastOutcome", error == null ? "applied" : "refused");
      j.key("errors").beginArray();
      if (error != null) {
        error.lines().filter(l -> !l.isBlank()).forEach(j::value);
      }
      j.endArray();
    }
    j.endObject();
    j.key("wouldHave").beginArray();
    for (Metrics.WouldHave w : observe.metrics().wouldHave()) {
      j.beginObject()
          .field("policy", w.policy())
          .field("limit", w.limit())
          .field("action", w.action())
          .field("count", w.count())
          .endObject();
    }
    return j.endArray().endObject().toString();
  }

  // ---- events ----

  /** The security events after number {@code after}, oldest first (at most the last 500). */
  public String events(long after) {
    RecentEvents recent = observe.recentEvents();
    List<RecentEvents.Line> lines = recent.after(after, MAX_EVENTS);
    JsonText j = new JsonText().beginObject();
    // After a restart the page's number is ahead of the ring's: the newest number sets it back.
    j.field("last", lines.isEmpty() ? recent.last() : lines.get(lines.size() - 1).seq());
    j.key("events").beginArray();
    for (RecentEvents.Line l : lines) {
      j.beginObject().field("seq", l.seq()).key("line").json(l.json()).endObject();
    }
    return j.endArray().endObject().toString();
  }
}
