package io.wssguard.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;
import org.yaml.snakeyaml.Yaml;

/**
 * {@code wssguard bench} from the packaged jar on a tiny workload: a complete, self-consistent
 * report.
 */
class BenchIT {
  private static final Path JAR = Path.of("target/wssguard.jar").toAbsolutePath();
  private static final List<String> TARGETS =
      List.of("direct", "plain", "tls-boringssl", "tls-jdk", "policies-on", "policies-off");
  private static final int CONNECTIONS = 4;
  private static final int RATE = 10;

  @TempDir Path dir;

  @Test
  @SuppressWarnings("unchecked")
  void reportsEveryTarget_consistentlyInTableJsonAndChart_onATinyWorkload() throws Exception {
    List<String> cmd =
        List.of(
            Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "-jar",
            JAR.toString(),
            "bench",
            "--connections",
            Integer.toString(CONNECTIONS),
            "--rate",
            Integer.toString(RATE),
            "--duration",
            "2",
            "--warmup",
            "1",
            "--quiet",
            "--out",
            "out");
    Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(90, TimeUnit.SECONDS), out);
    assertEquals(0, p.exitValue(), out);

    Map<String, Object> doc = new Yaml().load(Files.readString(dir.resolve("out/bench.json")));
    List<Map<String, Object>> targets = (List<Map<String, Object>>) doc.get("targets");
    assertEquals(TARGETS, targets.stream().map(t -> t.get("name")).toList(), out);
    double offered = CONNECTIONS * RATE;
    for (Map<String, Object> t : targets) {
      String name = (String) t.get("name");
      double rate = num(t.get("messagesPerSecond"));
      assertTrue(Math.abs(rate - offered) <= 0.2 * offered, name + ": " + rate + " msg/s\n" + out);
      Map<String, Object> errors = (Map<String, Object>) t.get("errors");
      assertEquals(0, ((Number) errors.get("total")).intValue(), name + ": " + errors + "\n" + out);
      if (name.equals("direct")) {
        assertNull(t.get("proxyCpuUsPerMessage"), out);
        assertNull(t.get("addedMs"), out);
      } else {
        assertTrue(num(t.get("proxyCpuUsPerMessage")) > 0, name + " has no proxy CPU\n" + out);
        assertNotNull(t.get("addedMs"), out);
      }
      assertTableRowMatches(out, t);
    }
    Map<String, Object> costs = (Map<String, Object>) doc.get("costs");
    for (String c : List.of("tlsBoringssl", "tlsJdk", "policy")) {
      assertNotNull(costs.get(c), c + "\n" + out);
    }
    Map<String, Object> policy = (Map<String, Object>) costs.get("policy");
    double on = num(byName(targets, "policies-on").get("proxyCpuUsPerMessage"));
    double off = num(byName(targets, "policies-off").get("proxyCpuUsPerMessage"));
    assertEquals(on - off, num(policy.get("usPerMessage")), 0.011);
    assertTrue(
        out.contains("TLS cost (proxy CPU per relayed message, over plain): BoringSSL "), out);
    assertTrue(
        out.contains(
            "policy cost (policies-on − policies-off): "
                + String.format(Locale.ROOT, "%+.2f", num(policy.get("usPerMessage")))
                + " µs/msg"),
        out);

    byte[] svg = Files.readAllBytes(dir.resolve("out/bench.svg"));
    DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
    f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
    Document xml = f.newDocumentBuilder().parse(new ByteArrayInputStream(svg));
    assertEquals("svg", xml.getDocumentElement().getTagName());
    String text = xml.getDocumentElement().getTextContent();
    for (String name : TARGETS) {
      assertTrue(text.contains(name), "chart lacks " + name);
    }
  }

  /** The table row of target {@code t} shows the JSON's own values. */
  @SuppressWarnings("unchecked")
  private static void assertTableRowMatches(String out, Map<String, Object> t) {
    String name = (String) t.get("name");
    String[] cells =
        out.lines()
            .filter(l -> l.startsWith(name + " "))
            .findFirst()
            .orElseThrow(() -> new AssertionError("no table row for " + name + "\n" + out))
            .trim()
            .split("\\s+");
    Map<String, Object> rtt = (Map<String, Object>) t.get("rttMs");
    Map<String, Object> added = (Map<String, Object>) t.get("addedMs");
    List<String> expected =
        new ArrayList<>(
            List.of(
                name,
                fmt("%.1f", t.get("messagesPerSecond")),
                fmt("%.3f", rtt.get("p50")),
                fmt("%.3f", rtt.get("p90")),
                fmt("%.3f", rtt.get("p99")),
                fmt("%.3f", rtt.get("p99.9")),
                added == null ? "-" : fmt("%+.3f", added.get("p50")),
                added == null ? "-" : fmt("%+.3f", added.get("p99")),
                fmt("%.2f", t.get("proxyCpuUsPerMessage")),
                fmt("%.1f", t.get("proxyRssKiBPerConnection")),
                ((Map<String, Object>) t.get("errors")).get("total").toString()));
    assertEquals(expected, List.of(cells), out);
  }

  private static Map<String, Object> byName(List<Map<String, Object>> targets, String name) {
    return targets.stream().filter(t -> name.equals(t.get("name"))).findFirst().orElseThrow();
  }

  private static String fmt(String format, Object v) {
    return v == null ? "-" : String.format(Locale.ROOT, format, num(v));
  }

  private static double num(Object v) {
    return ((Number) v).doubleValue();
  }
}
