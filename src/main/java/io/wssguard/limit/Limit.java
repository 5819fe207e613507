package io.wssguard.limit;

import io.wssguard.frame.CloseCodes;
import io.wssguard.policy.Action;
import io.wssguard.policy.CountLimit;
import io.wssguard.policy.RateLimit;

/**
 * One compiled limit of a policy: a rate or a maximum, what to do when it is exceeded, and the
 * words used when it is.
 *
 * @param name the limit's place in the policy file, e.g. {@code perConnection.messages} (for logs
 *     and metrics)
 * @param closeCode the code a CLOSE action sends: 1009 for sizes, 1008 otherwise
 * @param fleet whether the budget is the fleet's ({@code scope: fleet}, see {@link FleetLedger})
 */
public record Limit(
    String name, Rate rate, long max, Action action, boolean strike, int closeCode, boolean fleet) {

  static Limit of(String name, RateLimit r) {
    return of(name, r, false);
  }

  static Limit of(String name, RateLimit r, boolean fleet) {
    return r == null
        ? null
        : new Limit(
            name,
            Rate.of(r.perSecond(), r.burst()),
            0,
            r.action(),
            r.strike(),
            CloseCodes.POLICY_VIOLATION,
            fleet);
  }

  static Limit of(String name, CountLimit c, int closeCode) {
    return of(name, c, closeCode, false);
  }

  static Limit of(String name, CountLimit c, int closeCode, boolean fleet) {
    return c == null
        ? null
        : new Limit(name, null, c.max(), c.action(), c.strike(), closeCode, fleet);
  }

  /** The close reason: constant per limit, so the hot path builds no strings. */
  public String reason() {
    return name;
  }
}
