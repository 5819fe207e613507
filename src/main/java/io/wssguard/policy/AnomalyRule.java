package io.wssguard.policy;

import io.wssguard.baseline.Figure;
import io.wssguard.baseline.Measure;
import java.time.Duration;
import java.util.List;
import java.util.Locale;

/**
 * One {@code anomaly:} rule of a policy: when a connection's {@code measure} stays above {@code
 * factor} times the route baseline's {@code figure} for {@code sustain}, {@code response} follows.
 * Evaluated once per baseline window from counters the relay keeps anyway, never per frame.
 *
 * @param name unique within the policy; names the rule in logs, metrics and {@code /status}
 * @param closeCode the code a {@code close} sends (1008 or 4000..4999), 0 for other responses
 * @param banFor how long a {@code ban} lasts, null for other responses
 * @param line where the rule starts in its file
 */
public record AnomalyRule(
    String name,
    Measure measure,
    double factor,
    Figure figure,
    Duration sustain,
    Response response,
    int closeCode,
    Duration banFor,
    int line) {

  /** What a rule does when it fires. */
  public enum Response {
    /** Only the security event and the metric. */
    MONITOR,
    /** A strike toward the policy's {@code strikes} ban. */
    STRIKE,
    /** Closes the connection with the rule's close code. */
    CLOSE,
    /** Bans the source for the rule's {@code banFor}. */
    BAN;

    public String id() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /** The measures a rule can watch: one connection's message rates, read from its counters. */
  public static final List<Measure> MEASURES =
      List.of(Measure.MESSAGE_RATE, Measure.BACKEND_MESSAGE_RATE);

  /** How a rule names {@code m} in a policy file: {@code perConnection.messageRate}. */
  public static String key(Measure m) {
    return "perConnection." + m.id();
  }

  /** The rule's place in logs and metrics: {@code anomaly.<name>}. */
  public String limitName() {
    return "anomaly." + name;
  }

  /** {@code 10x typicalP99}, as written. */
  public String threshold() {
    return (factor == Math.rint(factor) ? Long.toString((long) factor) : Double.toString(factor))
        + "x "
        + figure.id();
  }
}
