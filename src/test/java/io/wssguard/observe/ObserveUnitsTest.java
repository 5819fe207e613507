package io.wssguard.observe;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The small pieces behind the admin API and the event log: top-K, JSON out, JSON in. */
class ObserveUnitsTest {
  @Test
  void topSources_keepsHeavyHittersWithinItsCapacity() {
    TopSources top = new TopSources(3);
    for (int i = 0; i < 100; i++) {
      top.add("10.0.0." + i, 1);
      top.add("192.0.2.1", 5);
      top.add("192.0.2.2", 3);
    }
    List<TopSources.Entry> best = top.top(2);
    assertEquals("192.0.2.1", best.get(0).source());
    assertEquals(500, (double) (best.get(0).count() - best.get(0).error()), 1e-9);
    assertEquals("192.0.2.2", best.get(1).source());
    assertEquals(3, top.top(10).size());
  }

  @Test
  void jsonText_escapesStrings_andLeavesNullsOut() {
    String s =
        new JsonText()
            .beginObject()
            .field("a", "q\"b\\\n\u0001")
            .field("n", (String) null)
            .field("x", 3)
            .key("arr")
            .beginArray()
            .value("1")
            .value("2")
            .endArray()
            .endObject()
            .toString();
    assertEquals("{\"a\":\"q\\\"b\\\\\\n\\u0001\",\"x\":3,\"arr\":[\"1\",\"2\"]}", s);
  }

  @Test
  void jsonText_writesNestedMapsAndLists_withIntegralDoublesAsIntegers_andNaNAsNull() {
    Map<String, Object> doc = new java.util.LinkedHashMap<>();
    doc.put("rows", List.of(Map.of("a", 1.0), Map.of("b", 2.5)));
    doc.put("nan", Double.NaN);
    doc.put("ok", true);
    doc.put("none", null);
    doc.put("n", List.of(1L, "x"));
    assertEquals(
        "{\"rows\":[{\"a\":1},{\"b\":2.5}],\"nan\":null,\"ok\":true,\"none\":null,\"n\":[1,\"x\"]}",
        new JsonText().value(doc).toString());
    assertEquals(
        "{\"k\":{\"x\":[]}}",
        new JsonText().beginObject().key("k").value(Map.of("x", List.of())).endObject().toString());
  }

  @Test
  void closeCodes_foldIntoBoundedLabels() {
    assertEquals("1000", Metrics.closeCodeLabel(1000));
    assertEquals("3xxx", Metrics.closeCodeLabel(3999));
    assertEquals("4xxx", Metrics.closeCodeLabel(4321));
    assertEquals("other", Metrics.closeCodeLabel(1016));
  }

  @Test
  void recentEvents_givesWhatCameAfterANumber_andForgetsWhatTheRingOverwrote() {
    RecentEvents recent = new RecentEvents(4);
    assertEquals(List.of(), recent.after(0, 10));
    for (int i = 1; i <= 6; i++) {
      recent.add("{\"n\":" + i + "}");
    }
    assertEquals(6, recent.last());
    assertEquals(
        List.of(
            new RecentEvents.Line(3, "{\"n\":3}"),
            new RecentEvents.Line(4, "{\"n\":4}"),
            new RecentEvents.Line(5, "{\"n\":5}"),
            new RecentEvents.Line(6, "{\"n\":6}")),
        recent.after(0, 10),
        "1 and 2 were overwritten");
    assertEquals(List.of(new RecentEvents.Line(6, "{\"n\":6}")), recent.after(5, 10));
    assertEquals(List.of(new RecentEvents.Line(6, "{\"n\":6}")), recent.after(0, 1), "newest");
    assertEquals(List.of(), recent.after(6, 10));
    assertEquals(List.of(), recent.after(99, 10), "a number from before a restart");
  }
}
