package io.wssguard.replay;

import io.wssguard.observe.JsonText;
import io.wssguard.replay.ReplayReport.Affected;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * {@code policy replay --against}: what changes for whom when one policy replaces another, both
 * replayed on the same recording. Sources are compared by everything the policies did to them
 * (route, limit, action, count): newly affected, no longer affected, or affected differently.
 * Sorted throughout, so the same replays print the same bytes.
 */
public final class ReplayDiff {
  /** A source both policies acted on, differently: what the old one did, what the new one does. */
  public record Changed(String source, List<Affected> before, List<Affected> after) {}

  private final ReplayReport policy;
  private final ReplayReport against;
  private final List<Affected> newlyAffected = new ArrayList<>();
  private final List<Affected> noLongerAffected = new ArrayList<>();
  private final List<Changed> changed = new ArrayList<>();
  private final int sourcesNow;
  private final int sourcesBefore;

  /**
   * @param policy the report of the policy tried
   * @param against the report of the policy it would replace, on the same recording
   */
  public ReplayDiff(ReplayReport policy, ReplayReport against) {
    this.policy = policy;
    this.against = against;
    Map<String, List<Affected>> now = bySource(policy);
    Map<String, List<Affected>> before = bySource(against);
    sourcesNow = now.size();
    sourcesBefore = before.size();
    now.forEach(
        (source, after) -> {
          List<Affected> was = before.get(source);
          if (was == null) {
            newlyAffected.addAll(after);
          } else if (!was.equals(after)) {
            changed.add(new Changed(source, was, after));
          }
        });
    before.forEach(
        (source, was) -> {
          if (!now.containsKey(source)) {
            noLongerAffected.addAll(was);
          }
        });
  }

  private static Map<String, List<Affected>> bySource(ReplayReport r) {
    Map<String, List<Affected>> m = new TreeMap<>();
    for (Affected a : r.affected()) {
      m.computeIfAbsent(a.source(), s -> new ArrayList<>()).add(a);
    }
    return m;
  }

  /** What the new policy does to sources the old one left alone. */
  public List<Affected> newlyAffected() {
    return newlyAffected;
  }

  /** What the old policy did to sources the new one leaves alone. */
  public List<Affected> noLongerAffected() {
    return noLongerAffected;
  }

  /** Sources both act on, differently. */
  public List<Changed> changed() {
    return changed;
  }

  private static int sources(List<Affected> list) {
    return (int) list.stream().map(Affected::source).distinct().count();
  }

  /** One JSON document (docs/POLICIES.md, "Comparing two policies"). */
  public String json() {
    JsonText j = new JsonText().beginObject();
    if (policy.route() != null) {
      j.field("route", policy.route());
    }
    policy.traffic(j);
    j.field("handshakes", policy.handshakes());
    side(j, "policy", policy, sourcesNow);
    side(j, "against", against, sourcesBefore);
    ReplayReport.affected(j, "newlyAffected", newlyAffected);
    ReplayReport.affected(j, "noLongerAffected", noLongerAffected);
    j.key("changed").beginArray();
    for (Changed c : changed) {
      j.beginObject().field("source", c.source());
      ReplayReport.affected(j, "before", c.before());
      ReplayReport.affected(j, "after", c.after());
      j.endObject();
    }
    j.endArray();
    return j.endObject().toString();
  }

  private static void side(JsonText j, String key, ReplayReport r, int sources) {
    j.key(key)
        .beginObject()
        .field("name", r.policy())
        .field("connections", r.connections())
        .field("sourcesAffected", sources)
        .endObject();
  }

  /** The difference in lines for a person. */
  public String text() {
    StringBuilder sb = new StringBuilder();
    policy
        .replayed(sb)
        .append(policy.route() == null ? "" : " on route " + policy.route())
        .append(":\n");
    sb.append("  policy '")
        .append(policy.policy())
        .append("': ")
        .append(policy.connections())
        .append(" connections admitted, ")
        .append(plural(sourcesNow))
        .append(" affected\n");
    sb.append("  against '")
        .append(against.policy())
        .append("': ")
        .append(against.connections())
        .append(" connections admitted, ")
        .append(plural(sourcesBefore))
        .append(" affected\n");
    sb.append("Newly affected: ").append(plural(sources(newlyAffected))).append('\n');
    for (Affected a : newlyAffected) {
      ReplayReport.line(sb.append("  + "), a);
    }
    sb.append("No longer affected: ").append(plural(sources(noLongerAffected))).append('\n');
    for (Affected a : noLongerAffected) {
      ReplayReport.line(sb.append("  - "), a);
    }
    sb.append("Affected differently: ").append(plural(changed.size())).append('\n');
    for (Changed c : changed) {
      c.before().forEach(a -> ReplayReport.line(sb.append("  - "), a));
      c.after().forEach(a -> ReplayReport.line(sb.append("  + "), a));
    }
    return sb.toString();
  }

  private static String plural(int n) {
    return n + (n == 1 ? " source" : " sources");
  }
}
