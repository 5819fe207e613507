package io.wssguard.firewall;

import io.wssguard.ban.Ban;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Bans as two ipset {@code hash:net} sets (IPv4 and IPv6) with per-entry timeouts, so the kernel
 * lets a source in again when its ban ends even if wssguard is not running. Each set is refilled
 * atomically: a {@code -next} set is created, filled and swapped with the live one, so no packet
 * ever sees a half-loaded list. The sets are matched once each from wssguard's own
 * iptables/ip6tables chain.
 */
public final class IpsetRenderer {
  /**
   * ipset's largest timeout (about 24.8 days); a longer ban is re-added when the set is next
   * rendered.
   */
  static final long MAX_TIMEOUT_SECONDS = 2_147_483;

  private static final String SET_OPTIONS = " hashsize 1024 maxelem 262144 timeout 0 -exist\n";

  private IpsetRenderer() {}

  /** {@code ipset restore} input: both sets, with the bans active at {@code now}. */
  public static String ipsetRestore(List<Ban> bans, FirewallConfig cfg, Instant now) {
    StringBuilder s = new StringBuilder();
    set(s, cfg.set4(), "inet", IptablesChain.active(bans, Family.IPV4, now), now);
    set(s, cfg.set6(), "inet6", IptablesChain.active(bans, Family.IPV6, now), now);
    return s.toString();
  }

  /**
   * {@code iptables-restore --noflush} (or ip6tables) input: the chain, matching the family's set
   * once.
   */
  public static String chainRestore(FirewallConfig cfg, Family family) {
    String set = family == Family.IPV4 ? cfg.set4() : cfg.set6();
    return IptablesChain.restore(
        cfg, List.of("-p tcp -m set --match-set " + set + " src " + IptablesChain.target(cfg)));
  }

  /** Sets first (the chain refers to them), then each family's chain and jump. */
  public static FirewallScript script(List<Ban> bans, FirewallConfig cfg, Instant now) {
    List<FirewallScript.Step> steps = new ArrayList<>();
    steps.add(FirewallScript.Step.feed(ipsetRestore(bans, cfg, now), "ipset", "restore"));
    for (Family family : Family.values()) {
      steps.addAll(IptablesChain.steps(cfg, family, chainRestore(cfg, family)));
    }
    return new FirewallScript(steps);
  }

  private static void set(
      StringBuilder s, String name, String family, List<Ban> bans, Instant now) {
    String next = name + "-next";
    s.append("create ").append(name).append(" hash:net family ").append(family).append(SET_OPTIONS);
    s.append("create ").append(next).append(" hash:net family ").append(family).append(SET_OPTIONS);
    s.append("flush ").append(next).append('\n');
    for (Ban ban : bans) {
      long timeout = Math.min(MAX_TIMEOUT_SECONDS, IptablesChain.secondsLeft(ban, now));
      s.append("add ")
          .append(next)
          .append(' ')
          .append(ban.target().shortText())
          .append(" timeout ")
          .append(timeout)
          .append('\n');
    }
    s.append("swap ").append(next).append(' ').append(name).append('\n');
    s.append("destroy ").append(next).append('\n');
  }
}
