package io.wssguard.server;

import io.wssguard.config.ListenerConfig;
import io.wssguard.config.ProxyConfig;
import io.wssguard.net.Cidr;
import io.wssguard.policy.Policy;
import io.wssguard.policy.PolicySet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The blocks never banned, from the one place they are decided: every loaded policy's {@code
 * access.allow} and {@code access.trustedProxies}, and every listener's PROXY-protocol senders (a
 * load balancer banned would lock out everyone behind it). The policy part changes with a reload,
 * so the list is recomputed then ({@link ProxyServer} hands it to the bans).
 */
public final class NeverBanList {
  private NeverBanList() {}

  public static List<Cidr> of(ProxyConfig config, PolicySet policies) {
    Set<Cidr> never = new LinkedHashSet<>();
    for (Policy p : policies.policies().values()) {
      if (p.access() != null) {
        never.addAll(p.access().allow());
        never.addAll(p.access().trustedProxies());
      }
    }
    if (config != null) {
      for (ListenerConfig l : config.listeners()) {
        never.addAll(l.proxyProtocolFrom());
      }
    }
    return List.copyOf(never);
  }
}
