package io.wssguard.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.wssguard.baseline.Figure;
import io.wssguard.baseline.Measure;
import io.wssguard.config.ConfigException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A policy's {@code anomaly:} list: what it reads into, and every error as its whole line. */
class AnomalyRulesParserTest {
  private static final String HEAD =
      """
      policies:
        chat:
          strikes: {max: 3, window: 1m, ban: 10m}
          anomaly:
      """;

  private static Policy parse(String rules) throws ConfigException {
    return PolicyParser.parse((HEAD + rules).getBytes(StandardCharsets.UTF_8), "p.yaml")
        .policies()
        .get("chat");
  }

  private static String errors(String rules) {
    return assertThrows(ConfigException.class, () -> parse(rules)).getMessage();
  }

  @Test
  void readsEachResponse_withItsThresholdAndDuration() throws Exception {
    Policy p =
        parse(
            """
                - name: chatty
                  measure: perConnection.messageRate
                  above: 10x typicalP99
                  for: 30s
                  action: monitor
                - name: flood
                  measure: perConnection.backendMessageRate
                  above: 2.5x p99
                  for: 1m
                  action: close
                  closeCode: 4001
                - name: striker
                  measure: perConnection.messageRate
                  above: 20x typicalMax
                  for: 5s
                  action: strike
                - name: banner
                  measure: perConnection.messageRate
                  above: 100x p50
                  for: 10s
                  action: ban
                  banFor: 1h
            """);
    assertEquals(
        List.of(
            new AnomalyRule(
                "chatty",
                Measure.MESSAGE_RATE,
                10,
                Figure.TYPICAL_P99,
                Duration.ofSeconds(30),
                AnomalyRule.Response.MONITOR,
                0,
                null,
                5),
            new AnomalyRule(
                "flood",
                Measure.BACKEND_MESSAGE_RATE,
                2.5,
                Figure.P99,
                Duration.ofMinutes(1),
                AnomalyRule.Response.CLOSE,
                4001,
                null,
                10),
            new AnomalyRule(
                "striker",
                Measure.MESSAGE_RATE,
                20,
                Figure.TYPICAL_MAX,
                Duration.ofSeconds(5),
                AnomalyRule.Response.STRIKE,
                0,
                null,
                16),
            new AnomalyRule(
                "banner",
                Measure.MESSAGE_RATE,
                100,
                Figure.P50,
                Duration.ofSeconds(10),
                AnomalyRule.Response.BAN,
                0,
                Duration.ofHours(1),
                21)),
        p.anomalies());
    assertEquals("2.5x p99", p.anomalies().get(1).threshold());
    assertEquals("anomaly.chatty", p.anomalies().get(0).limitName());
  }

  @Test
  void closeCode_defaultsTo1008() throws Exception {
    Policy p =
        parse(
            """
                - {name: c, measure: perConnection.messageRate, above: 5x p99, for: 2s, action: close}
            """);
    assertEquals(1008, p.anomalies().get(0).closeCode());
  }

  @Test
  void rejectsAThresholdThatIsNotAMultipleOfAFigure() {
    assertEquals(
        "p.yaml:5:84: policies.chat.anomaly[0].above: 10 p99 (expected: a multiple of a baseline"
            + " figure like 10x typicalP99: 1 to 1000 times one of p50, p90, p99, typicalP99,"
            + " typicalMax)",
        errors(
            """
                - {name: c, measure: perConnection.messageRate, for: 2s, action: close, above: 10 p99}
            """));
    assertTrue(
        errors(
                """
                - {name: c, measure: perConnection.messageRate, for: 2s, action: close, above: 0.5x p99}
            """)
            .contains("above: 0.5x p99 (expected: a multiple"));
    assertTrue(
        errors(
                """
                - {name: c, measure: perConnection.messageRate, for: 2s, action: close, above: 3x p95}
            """)
            .contains("above: 3x p95 (expected: a multiple"));
  }

  @Test
  void rejectsUnknownMeasure_listingTheRuleMeasures() {
    assertEquals(
        "p.yaml:5:26: policies.chat.anomaly[0].measure: perConnection.messageBytes (expected one"
            + " of: perConnection.messageRate, perConnection.backendMessageRate)",
        errors(
            """
                - {name: c, measure: perConnection.messageBytes, above: 3x p99, for: 2s, action: monitor}
            """));
  }

  @Test
  void rejectsMissingKeys_andUnknownOnes() {
    assertEquals(
        "p.yaml:5:7: policies.chat.anomaly[0]: missing required key 'for'\n"
            + "p.yaml:5:85: unknown key 'after' in policies.chat.anomaly[0] (expected one of: name,"
            + " measure, above, for, action, closeCode, banFor)",
        errors(
            """
                - {name: c, measure: perConnection.messageRate, above: 3x p99, action: monitor, after: 2s}
            """));
  }

  @Test
  void rejectsKeysOfAnotherAction_aMissingBanFor_andABadCloseCode() {
    String e =
        errors(
            """
                - {name: a, measure: perConnection.messageRate, above: 3x p99, for: 2s, action: monitor, closeCode: 4000}
                - {name: b, measure: perConnection.messageRate, above: 3x p99, for: 2s, action: ban}
                - {name: c, measure: perConnection.messageRate, above: 3x p99, for: 2s, action: close, closeCode: 1011}
            """);
    assertEquals(
        "p.yaml:5:105: policies.chat.anomaly[0].closeCode: 4000 (expected: closeCode only with"
            + " action close)\n"
            + "p.yaml:6:7: policies.chat.anomaly[1]: missing required key 'banFor'\n"
            + "p.yaml:7:103: policies.chat.anomaly[2].closeCode: 1011 (expected: 1008, or an"
            + " application code 4000..4999)",
        e);
  }

  @Test
  void rejectsAStrike_inAPolicyWithoutStrikes() {
    ConfigException e =
        assertThrows(
            ConfigException.class,
            () ->
                PolicyParser.parse(
                    """
                    policies:
                      chat:
                        anomaly:
                          - {name: s, measure: perConnection.messageRate, above: 3x p99, for: 2s, action: strike}
                    """
                        .getBytes(StandardCharsets.UTF_8),
                    "p.yaml"));
    assertEquals(
        "p.yaml:4:87: policies.chat.anomaly[0].action: strike (expected: a policy with a strikes"
            + " block, which turns strikes into bans; or another action)",
        e.getMessage());
  }

  @Test
  void rejectsARepeatedName_andATooShortDuration() {
    assertEquals(
        "p.yaml:6:14: policies.chat.anomaly[1].name: c (already the name of"
            + " policies.chat.anomaly[0]; expected: each rule name once per policy)\n"
            + "p.yaml:6:73: policies.chat.anomaly[1].for: 100ms (expected: duration like 5s, 1 s..1 h)",
        errors(
            """
                - {name: c, measure: perConnection.messageRate, above: 3x p99, for: 2s, action: monitor}
                - {name: c, measure: perConnection.messageRate, above: 3x p99, for: 100ms, action: monitor}
            """));
  }

  @Test
  void explainsEachRule_withItsMinimumTraffic() throws Exception {
    Policy p =
        parse(
            """
                - {name: chatty, measure: perConnection.messageRate, above: 10x typicalP99, for: 30s, action: close}
            """);
    assertTrue(
        PolicyExplanation.sentences(p)
            .contains(
                "Anomaly rule 'chatty': when a connection's messages per second from the client"
                    + " stay above 10x typicalP99 of the route's learnt baseline for 30 seconds, the"
                    + " connection is closed with 1008. It acts only once the baseline has seen 20"
                    + " connections from 10 sources; until then it is inactive (see /status)."),
        PolicyExplanation.sentences(p).toString());
  }
}
