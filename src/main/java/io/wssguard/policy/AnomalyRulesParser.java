package io.wssguard.policy;

import static io.wssguard.config.YamlReader.found;
import static io.wssguard.config.YamlReader.isNull;
import static io.wssguard.config.YamlReader.scalarText;

import io.wssguard.baseline.Figure;
import io.wssguard.config.ErrorList;
import io.wssguard.config.YamlMapping;
import io.wssguard.config.YamlReader;
import io.wssguard.frame.CloseCodes;
import io.wssguard.quantity.Quantities;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.nodes.Node;

/**
 * Reads a policy's {@code anomaly:} list (docs/POLICIES.md, "Anomaly rules") for {@link
 * PolicyParser}, with its errors: every one at its node, {@code path: found (expected: ...)}.
 */
final class AnomalyRulesParser {
  static final List<String> KEYS =
      List.of("name", "measure", "above", "for", "action", "closeCode", "banFor");

  /** Rules per policy: each is a few operations per connection per second. */
  static final int MAX_RULES = 16;

  static final Duration MIN_FOR = Duration.ofSeconds(1);
  static final Duration MAX_FOR = Duration.ofHours(1);
  static final double MAX_FACTOR = 1000;

  private static final Pattern NAME = Pattern.compile("[a-z0-9-]+");
  private static final Pattern ABOVE =
      Pattern.compile("([0-9]{1,4}(?:\\.[0-9]{1,3})?)x ([A-Za-z0-9]+)");
  private static final List<String> RESPONSES =
      Arrays.stream(AnomalyRule.Response.values()).map(AnomalyRule.Response::id).toList();

  private static final List<AnomalyRule.Response> RESPONSE_VALUES =
      List.of(AnomalyRule.Response.values());

  private final YamlReader yaml;
  private final ErrorList errors;

  AnomalyRulesParser(YamlReader yaml) {
    this.yaml = yaml;
    this.errors = yaml.errors();
  }

  static List<String> measureKeys() {
    return AnomalyRule.MEASURES.stream().map(AnomalyRule::key).toList();
  }

  static List<String> figureIds() {
    return Arrays.stream(Figure.values()).map(Figure::id).toList();
  }

  static String expectedAbove() {
    return "a multiple of a baseline figure like 10x typicalP99: 1 to "
        + (long) MAX_FACTOR
        + " times one of "
        + String.join(", ", figureIds());
  }

  /**
   * The rules under {@code node} ({@code List.of()} when absent), or null when any is wrong.
   *
   * @param hasStrikes whether the policy has a {@code strikes} block (a strike response needs it)
   */
  List<AnomalyRule> rules(Node node, String path, boolean hasStrikes) {
    if (node == null || isNull(node)) {
      return List.of();
    }
    List<Node> items =
        yaml.list(
            node,
            path,
            "list of anomaly rules, each a mapping with " + String.join(", ", KEYS),
            "anomaly rule");
    if (items == null) {
      return null;
    }
    int before = errors.size();
    if (items.size() > MAX_RULES) {
      errors.at(
          node,
          path + ": " + items.size() + " rules (expected: at most " + MAX_RULES + " per policy)");
    }
    List<AnomalyRule> rules = new ArrayList<>();
    Map<String, Integer> names = new HashMap<>();
    for (int i = 0; i < items.size(); i++) {
      AnomalyRule rule = rule(items.get(i), path + "[" + i + "]", hasStrikes, names, i, path);
      if (rule != null) {
        rules.add(rule);
      }
    }
    return errors.size() > before ? null : List.copyOf(rules);
  }

  private AnomalyRule rule(
      Node node,
      String path,
      boolean hasStrikes,
      Map<String, Integer> names,
      int index,
      String listPath) {
    int before = errors.size();
    YamlMapping m = yaml.mapping(node, path, "mapping with " + String.join(", ", KEYS), KEYS);
    if (m == null) {
      return null;
    }
    Node nameNode = m.required("name");
    String name = yaml.string(nameNode, m.pathOf("name"), "name made of a-z, 0-9 and -");
    if (name != null) {
      if (!NAME.matcher(name).matches()) {
        errors.at(
            nameNode,
            m.pathOf("name") + ": " + found(nameNode) + " (expected: name made of a-z, 0-9 and -)");
      } else {
        Integer first = names.putIfAbsent(name, index);
        if (first != null) {
          errors.at(
              nameNode,
              m.pathOf("name")
                  + ": "
                  + name
                  + " (already the name of "
                  + listPath
                  + "["
                  + first
                  + "]; expected: each rule name once per policy)");
        }
      }
    }
    int measure = yaml.oneOf(m.required("measure"), m.pathOf("measure"), measureKeys(), -1);
    Node aboveNode = m.required("above");
    Matcher above = null;
    Figure figure = null;
    double factor = -1;
    if (aboveNode != null) {
      String text = scalarText(aboveNode);
      Matcher a = text == null ? null : ABOVE.matcher(text.trim());
      if (a != null && a.matches()) {
        factor = Double.parseDouble(a.group(1));
        figure = Figure.ofId(a.group(2));
        above = a;
      }
      if (above == null || figure == null || factor < 1 || factor > MAX_FACTOR) {
        errors.at(
            aboveNode,
            m.pathOf("above") + ": " + found(aboveNode) + " (expected: " + expectedAbove() + ")");
      }
    }
    Duration sustain = yaml.duration(m.required("for"), m.pathOf("for"), null, MIN_FOR, MAX_FOR);
    Node actionNode = m.required("action");
    int response = yaml.oneOf(actionNode, m.pathOf("action"), RESPONSES, -1);
    AnomalyRule.Response r = response < 0 ? null : RESPONSE_VALUES.get(response);
    if (r == AnomalyRule.Response.STRIKE && !hasStrikes) {
      errors.at(
          actionNode,
          m.pathOf("action")
              + ": strike (expected: a policy with a strikes block, which turns strikes into bans;"
              + " or another action)");
    }
    int closeCode = closeCode(m, r);
    Duration banFor = banFor(m, r);
    if (errors.size() > before || r == null || sustain == null || measure < 0) {
      return null;
    }
    return new AnomalyRule(
        name,
        AnomalyRule.MEASURES.get(measure),
        factor,
        figure,
        sustain,
        r,
        closeCode,
        banFor,
        node.getStartMark().getLine() + 1);
  }

  /** 1008 by default with {@code close}; refused with any other action. */
  private int closeCode(YamlMapping m, AnomalyRule.Response r) {
    Node node = m.get("closeCode");
    if (r != AnomalyRule.Response.CLOSE) {
      if (node != null && r != null) {
        errors.at(
            node,
            m.pathOf("closeCode")
                + ": "
                + found(node)
                + " (expected: closeCode only with action close)");
      }
      return 0;
    }
    Long code = yaml.integer(node, m.pathOf("closeCode"), CloseCodes.POLICY_VIOLATION, 1000, 4999);
    if (code != null && code != CloseCodes.POLICY_VIOLATION && code < 4000) {
      errors.at(
          node,
          m.pathOf("closeCode")
              + ": "
              + code
              + " (expected: 1008, or an application code 4000..4999)");
    }
    return code == null ? 0 : code.intValue();
  }

  /** Required with {@code ban}; refused with any other action. */
  private Duration banFor(YamlMapping m, AnomalyRule.Response r) {
    if (r != AnomalyRule.Response.BAN) {
      Node node = m.get("banFor");
      if (node != null && r != null) {
        errors.at(
            node,
            m.pathOf("banFor") + ": " + found(node) + " (expected: banFor only with action ban)");
      }
      return null;
    }
    return yaml.duration(
        m.required("banFor"), m.pathOf("banFor"), null, Duration.ofSeconds(1), Quantities.MAX_BAN);
  }
}
