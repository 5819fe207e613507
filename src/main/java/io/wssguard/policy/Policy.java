package io.wssguard.policy;

import java.util.List;

/**
 * One named policy from a policy file: what a route's clients may do, and what happens when they do
 * more. Immutable and validated; {@code null} for a limit means "no limit".
 *
 * @param anomalies its {@code anomaly:} rules, in file order (empty when none)
 * @param file the file it came from (for messages and audit), {@code line} where its name stands
 */
public record Policy(
    String name,
    Mode mode,
    HandshakeRules handshake,
    PerIpLimits perIp,
    PerConnectionLimits perConnection,
    AccessRules access,
    StrikeRules strikes,
    List<AnomalyRule> anomalies,
    String file,
    int line) {
  public Policy {
    anomalies = anomalies == null ? List.of() : List.copyOf(anomalies);
  }

  /** A policy without anomaly rules. */
  public Policy(
      String name,
      Mode mode,
      HandshakeRules handshake,
      PerIpLimits perIp,
      PerConnectionLimits perConnection,
      AccessRules access,
      StrikeRules strikes,
      String file,
      int line) {
    this(name, mode, handshake, perIp, perConnection, access, strikes, List.of(), file, line);
  }
}
