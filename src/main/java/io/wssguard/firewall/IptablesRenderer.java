package io.wssguard.firewall;

import io.wssguard.ban.Ban;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Bans as one iptables (or ip6tables) rule each in wssguard's own chain, for hosts with neither
 * ipset nor nftables. The kernel cannot expire these: the chain must be re-applied when a ban ends
 * (the ban list's listener does that when {@code expire} runs). Linear in the number of bans per
 * packet, so meant for short lists.
 */
public final class IptablesRenderer {
  private IptablesRenderer() {}

  /**
   * {@code iptables-restore --noflush} (or ip6tables) input with the family's bans active at {@code
   * now}.
   */
  public static String chainRestore(
      List<Ban> bans, FirewallConfig cfg, Family family, Instant now) {
    List<String> rules = new ArrayList<>();
    for (Ban ban : IptablesChain.active(bans, family, now)) {
      rules.add("-s " + ban.target().toString() + " -p tcp " + IptablesChain.target(cfg));
    }
    return IptablesChain.restore(cfg, rules);
  }

  public static FirewallScript script(List<Ban> bans, FirewallConfig cfg, Instant now) {
    List<FirewallScript.Step> steps = new ArrayList<>();
    for (Family family : Family.values()) {
      steps.addAll(IptablesChain.steps(cfg, family, chainRestore(bans, cfg, family, now)));
    }
    return new FirewallScript(steps);
  }
}
