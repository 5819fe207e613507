package io.wssguard.replay;

import io.wssguard.observe.JsonText;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What a policy would have done to recorded traffic: per source, route, limit and action how often
 * it acted, and per limit the totals, close codes and strikes. Everything is kept in sorted maps,
 * so the same replay prints the same bytes.
 */
public final class ReplayReport {
  /** One source's count under one limit and action. */
  public record Affected(String source, String route, String limit, String action, long count) {}

  /** A limit's totals over all sources. */
  public record LimitTotal(
      String limit, String action, long count, int sources, int closeCode, long strikes) {}

  private record Key(String source, String route, String limit, String action) {}

  private static final Comparator<Key> ORDER =
      Comparator.comparing(Key::source)
          .thenComparing(Key::route)
          .thenComparing(Key::limit)
          .thenComparing(Key::action);

  private final Map<Key, Long> counts = new TreeMap<>(ORDER);
  private final Map<String, Integer> closeCodes = new TreeMap<>();
  private final Map<String, Long> strikes = new TreeMap<>();
  private final String policy;
  private final String route;
  private long connections;
  private long handshakes;
  private int files;
  private long records;
  private int truncatedFiles;

  ReplayReport(String policy, String route) {
    this.policy = policy;
    this.route = route;
  }

  void count(String source, String route, String limit, String action, int closeCode) {
    counts.merge(new Key(source, route == null ? "" : route, limit, action), 1L, Long::sum);
    if (closeCode != 0) {
      closeCodes.put(limit, closeCode);
    }
  }

  void strike(String limit) {
    strikes.merge(limit, 1L, Long::sum);
  }

  void handshake(boolean admitted) {
    handshakes++;
    if (admitted) {
      connections++;
    }
  }

  void traffic(int files, long records, int truncatedFiles) {
    this.files = files;
    this.records = records;
    this.truncatedFiles = truncatedFiles;
  }

  /** The policy replayed. */
  public String policy() {
    return policy;
  }

  /** The route replayed, null for all. */
  public String route() {
    return route;
  }

  /** Records read from the recording. */
  public long records() {
    return records;
  }

  /** Handshakes replayed. */
  public long handshakes() {
    return handshakes;
  }

  /** Connections the policy admitted. */
  public long connections() {
    return connections;
  }

  /** Every (source, route, limit, action) the policy acted on, sorted. */
  public List<Affected> affected() {
    List<Affected> list = new ArrayList<>();
    counts.forEach(
        (k, n) -> list.add(new Affected(k.source(), k.route(), k.limit(), k.action(), n)));
    return list;
  }

  /** Per limit and action: how often, how many sources, the close code, the strikes. */
  public List<LimitTotal> limits() {
    Map<String, long[]> totals = new TreeMap<>();
    Map<String, java.util.Set<String>> sources = new TreeMap<>();
    counts.forEach(
        (k, n) -> {
          String id = k.limit() + "\u0000" + k.action();
          totals.computeIfAbsent(id, x -> new long[1])[0] += n;
          sources.computeIfAbsent(id, x -> new java.util.TreeSet<>()).add(k.source());
        });
    List<LimitTotal> list = new ArrayList<>();
    totals.forEach(
        (id, n) -> {
          String limit = id.substring(0, id.indexOf('\u0000'));
          String action = id.substring(id.indexOf('\u0000') + 1);
          list.add(
              new LimitTotal(
                  limit,
                  action,
                  n[0],
                  sources.get(id).size(),
                  action.equals("close") ? closeCodes.getOrDefault(limit, 0) : 0,
                  strikes.getOrDefault(limit, 0L)));
        });
    return list;
  }

  /** One JSON document. */
  public String json() {
    JsonText j = new JsonText().beginObject();
    j.field("policy", policy);
    if (route != null) {
      j.field("route", route);
    }
    traffic(j);
    j.field("handshakes", handshakes).field("connections", connections);
    j.key("limits").beginArray();
    for (LimitTotal t : limits()) {
      j.beginObject()
          .field("limit", t.limit())
          .field("action", t.action())
          .field("count", t.count())
          .field("sources", t.sources());
      if (t.closeCode() != 0) {
        j.field("closeCode", t.closeCode());
      }
      j.field("strikes", t.strikes()).endObject();
    }
    j.endArray();
    affected(j, "affected", affected());
    return j.endObject().toString();
  }

  void traffic(JsonText j) {
    j.key("traffic")
        .beginObject()
        .field("files", files)
        .field("records", records)
        .field("truncatedFiles", truncatedFiles)
        .endObject();
  }

  /** A list of {@code {source, route, limit, action, count}} under {@code key}. */
  static void affected(JsonText j, String key, List<Affected> list) {
    j.key(key).beginArray();
    for (Affected a : list) {
      j.beginObject()
          .field("source", a.source())
          .field("route", a.route())
          .field("limit", a.limit())
          .field("action", a.action())
          .field("count", a.count())
          .endObject();
    }
    j.endArray();
  }

  /** The report in lines for a person. */
  public String text() {
    StringBuilder sb = new StringBuilder();
    replayed(sb)
        .append(" under policy '")
        .append(policy)
        .append("'")
        .append(route == null ? "" : " on route " + route)
        .append(": ")
        .append(connections)
        .append(" connections admitted.\n");
    List<LimitTotal> limits = limits();
    if (limits.isEmpty()) {
      sb.append("No limit would have acted.\n");
      return sb.toString();
    }
    for (LimitTotal t : limits) {
      sb.append("  ")
          .append(t.limit())
          .append(": ")
          .append(t.action())
          .append(t.closeCode() != 0 ? " (" + t.closeCode() + ")" : "")
          .append(" ")
          .append(t.count())
          .append(" times, ")
          .append(t.sources())
          .append(t.sources() == 1 ? " source" : " sources")
          .append(t.strikes() > 0 ? ", " + t.strikes() + " strikes" : "")
          .append('\n');
    }
    sb.append("Sources affected:\n");
    for (Affected a : affected()) {
      line(sb.append("  "), a);
    }
    return sb.toString();
  }

  /** {@code Replayed 22 handshakes (1234 records in 1 file)}. */
  StringBuilder replayed(StringBuilder sb) {
    return sb.append("Replayed ")
        .append(handshakes)
        .append(" handshakes (")
        .append(records)
        .append(" records in ")
        .append(files)
        .append(files == 1 ? " file" : " files")
        .append(truncatedFiles > 0 ? ", " + truncatedFiles + " cut short" : "")
        .append(")");
  }

  /** {@code 127.0.0.50 / perConnection.messages close 1} and a newline. */
  static void line(StringBuilder sb, Affected a) {
    sb.append(a.source())
        .append(' ')
        .append(a.route())
        .append(' ')
        .append(a.limit())
        .append(' ')
        .append(a.action())
        .append(' ')
        .append(a.count())
        .append('\n');
  }
}
