package io.wssguard.it;

import io.wssguard.policy.AccessRules;
import io.wssguard.policy.HandshakeRules;
import io.wssguard.policy.Mode;
import io.wssguard.policy.PerConnectionLimits;
import io.wssguard.policy.PerIpLimits;
import io.wssguard.policy.Policy;
import io.wssguard.policy.PolicySet;
import io.wssguard.policy.StrikeRules;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Policies built in code for integration tests (the shipped files are tested through their parser).
 */
final class TestPolicies {
  private TestPolicies() {}

  static Policy permissive(String name) {
    return enforcing(name, HandshakeRules.NONE, AccessRules.NONE);
  }

  /** Enforces {@code access} (allow, deny, trusted proxies) and nothing else. */
  static Policy accessOnly(String name, AccessRules access) {
    return enforcing(name, HandshakeRules.NONE, access);
  }

  /** Enforces the handshake {@code rules} (origins, subprotocols, headers, paths) only. */
  static Policy handshakeOnly(String name, HandshakeRules rules) {
    return enforcing(name, rules, AccessRules.NONE);
  }

  /** Enforces {@code handshake} and {@code access}; no limits, no strikes. */
  private static Policy enforcing(String name, HandshakeRules handshake, AccessRules access) {
    return policy(
        name, Mode.ENFORCE, handshake, PerIpLimits.NONE, PerConnectionLimits.NONE, access, null);
  }

  static Policy policy(
      String name,
      Mode mode,
      HandshakeRules handshake,
      PerIpLimits perIp,
      PerConnectionLimits perConnection,
      AccessRules access,
      StrikeRules strikes) {
    return new Policy(name, mode, handshake, perIp, perConnection, access, strikes, "test", 1);
  }

  static PolicySet set(Policy... policies) {
    Map<String, Policy> map = new LinkedHashMap<>();
    for (Policy p : policies) {
      map.put(p.name(), p);
    }
    return new PolicySet(map, List.of());
  }
}
