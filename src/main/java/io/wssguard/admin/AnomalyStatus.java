package io.wssguard.admin;

import io.wssguard.anomaly.AnomalyWatch;
import io.wssguard.baseline.RouteBaseline;
import io.wssguard.observe.JsonText;
import io.wssguard.policy.AnomalyRule;

/**
 * The {@code "baselines"} part of {@code /status}: per route, how much traffic its reference and
 * learning epochs hold, and each anomaly rule with whether it is active, the baseline figure and
 * threshold, how often it fired and on whom lately.
 */
final class AnomalyStatus {
  private AnomalyStatus() {}

  static void write(JsonText j, AnomalyWatch watch) {
    if (watch == null) {
      return;
    }
    j.key("baselines").beginObject();
    j.field("needConnections", RouteBaseline.MIN_CONNECTIONS)
        .field("needSources", RouteBaseline.MIN_SOURCES)
        .field("observationsDropped", watch.dropped());
    j.key("routes").beginArray();
    for (AnomalyWatch.RouteStatus r : watch.status()) {
      j.beginObject().field("route", r.route());
      coverage(j, "reference", r.reference());
      coverage(j, "learning", r.learning());
      j.key("rules").beginArray();
      for (AnomalyWatch.RuleStatus s : r.rules()) {
        AnomalyRule rule = s.rule();
        j.beginObject()
            .field("policy", s.policy())
            .field("rule", rule.name())
            .field("measure", AnomalyRule.key(rule.measure()))
            .field("above", rule.threshold())
            .field("forSeconds", rule.sustain().toSeconds())
            .field("action", rule.response().id())
            .field("active", s.active());
        if (!s.active()) {
          j.field(
              "inactive",
              r.reference().enough()
                  ? "the reference baseline has no " + rule.figure().id() + " for this measure"
                  : "not enough traffic in the reference baseline yet");
        } else {
          j.field("baseline", s.figureValue()).field("threshold", s.threshold());
        }
        j.field("fired", s.fired()).key("flagged").beginArray();
        s.flagged().forEach(j::value);
        j.endArray().endObject();
      }
      j.endArray().endObject();
    }
    j.endArray().endObject();
  }

  private static void coverage(JsonText j, String name, RouteBaseline.Coverage c) {
    j.key(name)
        .beginObject()
        .field("connections", c.connections())
        .field("sources", c.sources())
        .field("windows", c.windows())
        .field("enough", c.enough())
        .endObject();
  }
}
