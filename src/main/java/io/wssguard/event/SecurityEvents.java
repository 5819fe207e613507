package io.wssguard.event;

import java.net.InetAddress;
import java.time.Duration;

/**
 * The security events wssguard reports, one method each: the single vocabulary behind both the JSON
 * event log and the security metrics ({@link SecurityLog} implements it). Called on rare paths only
 * (a refusal, a limit hit, a strike), never per frame. Plain JDK types, so that the packages that
 * make these decisions ({@code limit}) need nothing else; every method defaults to doing nothing,
 * which is {@link #NONE}.
 */
public interface SecurityEvents {
  SecurityEvents NONE = new SecurityEvents() {};

  /**
   * A handshake answered with an error before any policy was asked (malformed, no route, backend
   * trouble).
   *
   * @param reason one of {@link Metrics#REJECTIONS}
   * @param route the route label, or null before routing
   */
  default void handshakeRejected(
      InetAddress client, String route, String reason, int status, String detail) {}

  /**
   * A route's policy refused a handshake (or, in monitor mode, would have).
   *
   * @param limit the policy key that refused it: {@code access}, {@code ban}, {@code
   *     handshake.origins}, {@code perIp.handshakes}, ...
   */
  default void policyRefused(
      InetAddress client,
      String route,
      String policy,
      boolean monitor,
      String limit,
      int status,
      String why) {}

  /**
   * A per-frame limit was exceeded; {@code action} is what was done (or, in monitor mode, would
   * have been).
   */
  default void limitExceeded(
      InetAddress client,
      String policy,
      boolean monitor,
      String limit,
      String action,
      boolean strike,
      String detail) {}

  /**
   * An anomaly rule fired: a connection's {@code measure} stayed above {@code threshold} (the
   * rule's multiple of the route baseline's {@code figure}, which was {@code baseline}) for the
   * rule's duration, at {@code value} in its last window.
   *
   * @param limit the rule as a limit name, {@code anomaly.<rule name>}
   * @param action monitor, strike, close or ban: what was done (or, not enforced, would have been)
   */
  default void anomaly(
      InetAddress client,
      String route,
      String policy,
      boolean enforced,
      String limit,
      String action,
      String measure,
      double value,
      String figure,
      double baseline,
      double threshold) {}

  default void strike(InetAddress client, String policy, String limit, int count, int max) {}

  /**
   * A block was banned.
   *
   * @param by {@code strikes} (a policy's strike rules, then {@code policy} is set) or {@code
   *     admin}
   */
  default void banned(String target, String policy, Duration duration, String reason, String by) {}

  default void unbanned(String target, String by) {}

  /** A policy reload was applied, or rejected with {@code detail} as its errors. */
  default void policyReload(String trigger, boolean applied, String detail) {}
}
