package io.wssguard.bench;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Turns the targets' results into the JSON document and the terminal table. The table is printed
 * from the very values that go into the JSON (rounded once, here), so the two always agree.
 */
final class Report {
  private Report() {}

  /** The whole {@code bench.json} document. */
  static Map<String, Object> document(
      BenchParams p,
      String version,
      String backend,
      Map<String, Object> machine,
      Map<String, Object> proxy,
      List<TargetResult> results) {
    Map<String, Object> doc = new LinkedHashMap<>();
    doc.put("tool", "wssguard bench");
    doc.put("version", version);
    Map<String, Object> params = new LinkedHashMap<>();
    params.put("connections", p.connections());
    params.put("ratePerConnection", p.rate());
    params.put("offeredMessagesPerSecond", (long) p.connections() * p.rate());
    params.put("sizeBytes", p.size());
    params.put("durationSeconds", p.durationSeconds());
    params.put("warmupSeconds", p.warmupSeconds());
    params.put("targets", p.targets().stream().map(t -> t.id).toList());
    params.put("backend", backend);
    params.put("proxyJavaOptions", p.proxyJavaOptions());
    doc.put("params", params);
    doc.put("machine", machine);
    doc.put("proxy", proxy);
    TargetResult direct = find(results, Target.DIRECT);
    List<Object> rows = new ArrayList<>();
    for (TargetResult r : results) {
      rows.add(row(r, direct));
    }
    doc.put("targets", rows);
    doc.put("costs", costs(results));
    return doc;
  }

  private static Map<String, Object> row(TargetResult r, TargetResult direct) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("name", r.target().id);
    m.put("url", r.url());
    m.put("proxied", r.target().proxied());
    m.put("connections", r.connections());
    m.put("connected", r.connected());
    m.put("seconds", r.seconds());
    m.put("sent", r.sent());
    m.put("echoed", r.echoed());
    m.put("messagesPerSecond", round(r.messagesPerSecond(), 1));
    Map<String, Object> rtt = new LinkedHashMap<>();
    rtt.put("p50", round(r.p50Ms(), 3));
    rtt.put("p90", round(r.p90Ms(), 3));
    rtt.put("p99", round(r.p99Ms(), 3));
    rtt.put("p99.9", round(r.p999Ms(), 3));
    rtt.put("max", round(r.maxMs(), 3));
    rtt.put("mean", round(r.meanMs(), 3));
    m.put("rttMs", rtt);
    Map<String, Object> curve = new LinkedHashMap<>();
    for (int i = 0; i < TargetResult.CURVE_PERCENTILES.length; i++) {
      curve.put(percentileName(TargetResult.CURVE_PERCENTILES[i]), round(r.curveMs().get(i), 3));
    }
    m.put("rttPercentilesMs", curve);
    if (direct != null && r.target() != Target.DIRECT) {
      Map<String, Object> added = new LinkedHashMap<>();
      added.put("p50", difference(round(r.p50Ms(), 3), round(direct.p50Ms(), 3)));
      added.put("p99", difference(round(r.p99Ms(), 3), round(direct.p99Ms(), 3)));
      m.put("addedMs", added);
    } else {
      m.put("addedMs", null);
    }
    m.put("proxyCpuUsPerMessage", round(r.proxyCpuUsPerMessage(), 2));
    m.put("proxyCpuTickUsPerMessage", round(r.proxyCpuTickUsPerMessage(), 2));
    m.put("proxyCpuSeconds", round(r.proxyCpuSeconds(), 4));
    m.put(
        "proxyRssKiBPerConnection",
        r.proxyRssBytesPerConnection() == null
            ? null
            : round(r.proxyRssBytesPerConnection() / 1024, 1));
    Map<String, Object> errors = new LinkedHashMap<>();
    errors.put("total", r.errors());
    errors.put("failedConnects", r.connectErrors());
    errors.put("unexpectedCloses", r.unexpectedCloses());
    errors.put("protocolErrors", r.protocolErrors());
    errors.put("first", r.firstError());
    m.put("errors", errors);
    m.put("closeTimeouts", r.closeTimeouts());
    m.put("skippedSends", r.skippedSends());
    return m;
  }

  private static Map<String, Object> costs(List<TargetResult> results) {
    Map<String, Object> costs = new LinkedHashMap<>();
    costs.put(
        "tlsBoringssl", cost(find(results, Target.TLS_BORINGSSL), find(results, Target.PLAIN)));
    costs.put("tlsJdk", cost(find(results, Target.TLS_JDK), find(results, Target.PLAIN)));
    costs.put(
        "policy", cost(find(results, Target.POLICIES_ON), find(results, Target.POLICIES_OFF)));
    return costs;
  }

  /**
   * {@code with - without} in proxy µs per relayed message, and as a percentage of {@code without}.
   */
  private static Map<String, Object> cost(TargetResult with, TargetResult without) {
    if (with == null
        || without == null
        || with.proxyCpuUsPerMessage() == null
        || without.proxyCpuUsPerMessage() == null) {
      return null;
    }
    double a = round(with.proxyCpuUsPerMessage(), 2);
    double b = round(without.proxyCpuUsPerMessage(), 2);
    // (both non-null: checked above, and finite: a CPU time over a positive count)
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("with", with.target().id);
    m.put("without", without.target().id);
    m.put("usPerMessage", round(a - b, 2));
    m.put("percent", b > 0 ? round((a - b) / b * 100, 1) : null);
    return m;
  }

  static final String HEADER =
      String.format(
          Locale.ROOT,
          "%-14s %9s %8s %8s %8s %9s %8s %8s %8s %9s %7s",
          "target",
          "msg/s",
          "p50 ms",
          "p90 ms",
          "p99 ms",
          "p99.9 ms",
          "+p50 ms",
          "+p99 ms",
          "µs/msg",
          "KiB/conn",
          "errors");

  /** The terminal table with the cost lines, from a {@link #document}. */
  @SuppressWarnings("unchecked")
  static String table(Map<String, Object> doc) {
    StringBuilder sb = new StringBuilder();
    Map<String, Object> p = (Map<String, Object>) doc.get("params");
    sb.append(
        String.format(
            Locale.ROOT,
            "wssguard bench: %s connections x %s msg/s (offered %s msg/s), %s B, %s s per"
                + " target after %s s warm-up; backend %s%n",
            p.get("connections"),
            p.get("ratePerConnection"),
            p.get("offeredMessagesPerSecond"),
            p.get("sizeBytes"),
            num(p.get("durationSeconds")),
            num(p.get("warmupSeconds")),
            p.get("backend")));
    sb.append(HEADER).append('\n');
    for (Object o : (List<Object>) doc.get("targets")) {
      Map<String, Object> r = (Map<String, Object>) o;
      Map<String, Object> rtt = (Map<String, Object>) r.get("rttMs");
      Map<String, Object> added = (Map<String, Object>) r.get("addedMs");
      Map<String, Object> errors = (Map<String, Object>) r.get("errors");
      sb.append(
          String.format(
              Locale.ROOT,
              "%-14s %9s %8s %8s %8s %9s %8s %8s %8s %9s %7s%n",
              r.get("name"),
              fmt("%.1f", r.get("messagesPerSecond")),
              fmt("%.3f", rtt.get("p50")),
              fmt("%.3f", rtt.get("p90")),
              fmt("%.3f", rtt.get("p99")),
              fmt("%.3f", rtt.get("p99.9")),
              added == null ? "-" : fmt("%+.3f", added.get("p50")),
              added == null ? "-" : fmt("%+.3f", added.get("p99")),
              fmt("%.2f", r.get("proxyCpuUsPerMessage")),
              fmt("%.1f", r.get("proxyRssKiBPerConnection")),
              errors.get("total")));
    }
    Map<String, Object> costs = (Map<String, Object>) doc.get("costs");
    Map<String, Object> bs = (Map<String, Object>) costs.get("tlsBoringssl");
    Map<String, Object> jdk = (Map<String, Object>) costs.get("tlsJdk");
    if (bs != null || jdk != null) {
      sb.append("TLS cost (proxy CPU per relayed message, over plain):");
      if (bs != null) {
        sb.append(" BoringSSL ").append(costText(bs));
      }
      if (jdk != null) {
        sb.append(bs != null ? ";" : "").append(" JDK ").append(costText(jdk));
      }
      sb.append('\n');
    }
    Map<String, Object> policy = (Map<String, Object>) costs.get("policy");
    if (policy != null) {
      sb.append("policy cost (policies-on − policies-off): ").append(costText(policy)).append('\n');
    }
    Map<String, Object> machine = (Map<String, Object>) doc.get("machine");
    sb.append(
        String.format(
            Locale.ROOT,
            "machine: %s CPUs, 1-min load average %s before and %s after the run%n",
            machine.get("cpus"),
            fmt("%.2f", machine.get("loadAverageBefore")),
            fmt("%.2f", machine.get("loadAverageAfter"))));
    return sb.toString();
  }

  private static String costText(Map<String, Object> c) {
    return fmt("%+.2f", c.get("usPerMessage"))
        + " µs/msg"
        + (c.get("percent") == null ? "" : " (" + fmt("%+.1f", c.get("percent")) + "%)");
  }

  static String fmt(String format, Object value) {
    if (value == null) {
      return "-";
    }
    return String.format(Locale.ROOT, format, ((Number) value).doubleValue());
  }

  private static String num(Object v) {
    double d = ((Number) v).doubleValue();
    return d == Math.rint(d) ? Long.toString((long) d) : Double.toString(d);
  }

  static String percentileName(double p) {
    return p == Math.rint(p) ? "p" + (long) p : "p" + p;
  }

  private static Double difference(Double a, Double b) {
    return a == null || b == null ? null : round(a - b, 3);
  }

  static TargetResult find(List<TargetResult> results, Target t) {
    for (TargetResult r : results) {
      if (r.target() == t) {
        return r;
      }
    }
    return null;
  }

  private static Double round(Double v, int decimals) {
    if (v == null || v.isNaN() || v.isInfinite()) {
      return null;
    }
    double f = Math.pow(10, decimals);
    return Math.round(v * f) / f;
  }
}
