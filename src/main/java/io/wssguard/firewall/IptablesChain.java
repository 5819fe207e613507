package io.wssguard.firewall;

import io.wssguard.ban.Ban;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The parts the ipset and iptables backends share: wssguard's own chain, loaded with {@code
 * iptables-restore --noflush} (declaring the chain flushes it, so a reload replaces its rules and
 * touches no other chain), and one jump to it from INPUT for the protected ports, inserted only if
 * {@code iptables -C} does not find it already.
 */
final class IptablesChain {
  private IptablesChain() {}

  /**
   * {@code iptables-restore --noflush} input declaring (so flushing) the chain and appending {@code
   * rules}.
   */
  static String restore(FirewallConfig cfg, List<String> rules) {
    StringBuilder s = new StringBuilder("*filter\n:").append(cfg.chain()).append(" - [0:0]\n");
    for (String rule : rules) {
      s.append("-A ").append(cfg.chain()).append(' ').append(rule).append('\n');
    }
    return s.append("COMMIT\n").toString();
  }

  /**
   * The verdict as an iptables target; a reset needs {@code -p tcp} in the same rule, so every rule
   * has it.
   */
  static String target(FirewallConfig cfg) {
    return cfg.verdict() == FirewallConfig.Verdict.DROP
        ? "-j DROP"
        : "-j REJECT --reject-with tcp-reset";
  }

  /** The jump from INPUT, as arguments after {@code -C INPUT} / {@code -I INPUT 1}. */
  static List<String> jump(FirewallConfig cfg) {
    return List.of(
        "-p", "tcp", "-m", "multiport", "--dports", cfg.portList(","), "-j", cfg.chain());
  }

  /**
   * Restore the chain for {@code family}, then make sure INPUT jumps to it (first, so it precedes
   * any ACCEPT).
   */
  static List<FirewallScript.Step> steps(FirewallConfig cfg, Family family, String restoreInput) {
    List<FirewallScript.Step> steps = new ArrayList<>();
    steps.add(FirewallScript.Step.feed(restoreInput, family.restore, "-w", "--noflush"));
    List<String> check = new ArrayList<>(List.of(family.iptables, "-w", "-C", "INPUT"));
    check.addAll(jump(cfg));
    List<String> insert = new ArrayList<>(List.of(family.iptables, "-w", "-I", "INPUT", "1"));
    insert.addAll(jump(cfg));
    steps.add(new FirewallScript.Step(insert, "", check));
    return steps;
  }

  /**
   * Whole seconds left on a ban, rounded up so a kernel entry never ends before the ban does; at
   * least 1.
   */
  static long secondsLeft(Ban ban, Instant now) {
    long millis = Duration.between(now, ban.until()).toMillis();
    return Math.max(1, (millis + 999) / 1000);
  }

  static List<Ban> active(List<Ban> bans, Family family, Instant now) {
    List<Ban> out = new ArrayList<>();
    for (Ban ban : bans) {
      if (ban.activeAt(now) && Family.of(ban.target()) == family) {
        out.add(ban);
      }
    }
    return out;
  }
}
