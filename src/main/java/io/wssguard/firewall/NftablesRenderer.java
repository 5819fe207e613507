package io.wssguard.firewall;

import io.wssguard.ban.Ban;
import io.wssguard.ban.BanList;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Bans as one nftables table, {@code inet wssguard}, that wssguard owns outright: interval sets
 * {@code ban4} and {@code ban6} with per-element timeouts and an input chain that drops their
 * sources on the protected ports.
 *
 * <p>The file is one {@code nft -f} transaction: it declares the table (so the delete cannot fail
 * on a first run), deletes it, and defines it again. Deleting rather than flushing means a table
 * left by an older wssguard with a different set definition is replaced too; either way no other
 * table is touched and no packet sees a half-loaded table. An interval set refuses overlapping
 * elements, so a ban inside a wider one is left out while the wider one lasts (it is added back on
 * the next apply after the wider ban ends).
 */
public final class NftablesRenderer {
  /**
   * Before the usual {@code filter} priority (0), so a ban is decided before other tables accept
   * the packet.
   */
  static final int PRIORITY = -10;

  private NftablesRenderer() {}

  /** {@code nft -f} input with the bans active at {@code now}. */
  public static String render(List<Ban> bans, FirewallConfig cfg, Instant now) {
    String table = "inet " + cfg.nftTable();
    StringBuilder s = new StringBuilder();
    s.append("table ").append(table).append(" {\n}\n");
    s.append("delete table ").append(table).append('\n');
    s.append("table ").append(table).append(" {\n");
    set(s, "ban4", "ipv4_addr", outermost(IptablesChain.active(bans, Family.IPV4, now)), now);
    s.append('\n');
    set(s, "ban6", "ipv6_addr", outermost(IptablesChain.active(bans, Family.IPV6, now)), now);
    s.append('\n');
    String verdict =
        cfg.verdict() == FirewallConfig.Verdict.DROP ? "drop" : "reject with tcp reset";
    String ports = cfg.ports().size() == 1 ? cfg.portList("") : "{ " + cfg.portList(", ") + " }";
    s.append("\tchain input {\n");
    s.append("\t\ttype filter hook input priority ").append(PRIORITY).append("; policy accept;\n");
    s.append("\t\ttcp dport ")
        .append(ports)
        .append(" ip saddr @ban4 ")
        .append(verdict)
        .append('\n');
    s.append("\t\ttcp dport ")
        .append(ports)
        .append(" ip6 saddr @ban6 ")
        .append(verdict)
        .append('\n');
    s.append("\t}\n}\n");
    return s.toString();
  }

  public static FirewallScript script(List<Ban> bans, FirewallConfig cfg, Instant now) {
    return new FirewallScript(
        List.of(FirewallScript.Step.feed(render(bans, cfg, now), "nft", "-f", "-")));
  }

  private static void set(StringBuilder s, String name, String type, List<Ban> bans, Instant now) {
    s.append("\tset ").append(name).append(" {\n");
    s.append("\t\ttype ").append(type).append('\n');
    s.append("\t\tflags interval, timeout\n");
    if (!bans.isEmpty()) {
      s.append("\t\telements = {");
      String sep = " ";
      for (Ban ban : bans) {
        s.append(sep)
            .append(ban.target().shortText())
            .append(" timeout ")
            .append(IptablesChain.secondsLeft(ban, now))
            .append('s');
        sep = ", ";
      }
      s.append(" }\n");
    }
    s.append("\t}\n");
  }

  /**
   * The bans not inside another ban of the list, in one pass over them sorted by address: a block
   * sorts right before everything it holds, so a ban is inside another exactly when it is inside
   * the last one kept. Sorting keeps this n log n; comparing every pair was quadratic, minutes for
   * 100,000 bans.
   */
  private static List<Ban> outermost(List<Ban> bans) {
    List<Ban> sorted = new ArrayList<>(bans);
    sorted.sort(BanList.ORDER);
    List<Ban> out = new ArrayList<>();
    Ban last = null;
    for (Ban ban : sorted) {
      if (last != null && last.target().contains(ban.target())) {
        continue;
      }
      out.add(ban);
      last = ban;
    }
    return out;
  }
}
