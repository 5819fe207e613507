package io.wssguard.firewall;

import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * How bans reach the kernel: which tool, the names of the objects wssguard owns (and nothing else
 * is touched), the TCP ports they guard, and whether banned packets are dropped or answered with a
 * TCP reset.
 *
 * @param backend which mechanism holds the ban list in the kernel
 * @param set4 ipset set for IPv4 bans (ipset backend)
 * @param set6 ipset set for IPv6 bans (ipset backend)
 * @param chain iptables/ip6tables chain that wssguard owns and refills (ipset and iptables
 *     backends)
 * @param nftTable name of the {@code inet} table that wssguard owns (nftables backend)
 * @param ports the protected TCP ports; 1 to 15 of them (iptables multiport's limit). Bans apply to
 *     these only, so a wrong ban cannot lock an operator out of SSH
 * @param verdict what a banned packet gets
 */
public record FirewallConfig(
    Backend backend,
    String set4,
    String set6,
    String chain,
    String nftTable,
    List<Integer> ports,
    Verdict verdict) {

  /** Where bans are kept in the kernel. */
  public enum Backend {
    /** ipset hash:net sets with per-entry timeouts, matched once from an iptables chain. */
    IPSET,
    /** one nftables table with interval sets and per-element timeouts. */
    NFTABLES,
    /** one iptables rule per ban, for hosts without ipset or nftables; no kernel-side expiry. */
    IPTABLES
  }

  /** What a banned source's packet gets. */
  public enum Verdict {
    /** silently discarded: the client waits for its connect timeout. */
    DROP,
    /**
     * answered with a TCP reset: cheaper for honest clients behind a banned NAT, tells scanners the
     * port is up.
     */
    REJECT
  }

  public static final String DEFAULT_SET4 = "wssguard-ban4";
  public static final String DEFAULT_SET6 = "wssguard-ban6";
  public static final String DEFAULT_CHAIN = "WSSGUARD-BAN";
  public static final String DEFAULT_NFT_TABLE = "wssguard";

  /**
   * ipset allows 31 characters; {@code -next} is appended for the swap set. iptables chains allow
   * 28.
   */
  private static final Pattern SET_NAME = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_.-]{0,25}");

  private static final Pattern CHAIN_NAME = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_.-]{0,27}");
  private static final Pattern NFT_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,31}");

  public FirewallConfig {
    Objects.requireNonNull(backend, "backend");
    Objects.requireNonNull(verdict, "verdict");
    check("set4", set4, SET_NAME, "1-26 letters, digits, _ . -");
    check("set6", set6, SET_NAME, "1-26 letters, digits, _ . -");
    check("chain", chain, CHAIN_NAME, "1-28 letters, digits, _ . -");
    check("nftTable", nftTable, NFT_NAME, "a letter or _, then up to 31 letters, digits, _");
    if (set4.equals(set6)) {
      throw new IllegalArgumentException(
          "set4 and set6: both '" + set4 + "' (expected: two different sets)");
    }
    ports = List.copyOf(ports);
    if (ports.isEmpty() || ports.size() > 15) {
      throw new IllegalArgumentException(
          "ports: " + ports.size() + " given (expected: 1 to 15 TCP ports)");
    }
    for (int port : ports) {
      if (port < 1 || port > 65535) {
        throw new IllegalArgumentException("ports: " + port + " (expected: 1..65535)");
      }
    }
    if (ports.stream().distinct().count() != ports.size()) {
      throw new IllegalArgumentException("ports: " + ports + " (expected: each port once)");
    }
  }

  /** The default names, dropping banned packets. */
  public static FirewallConfig of(Backend backend, List<Integer> ports) {
    return new FirewallConfig(
        backend, DEFAULT_SET4, DEFAULT_SET6, DEFAULT_CHAIN, DEFAULT_NFT_TABLE, ports, Verdict.DROP);
  }

  public FirewallConfig withChain(String c) {
    return new FirewallConfig(backend, set4, set6, c, nftTable, ports, verdict);
  }

  public FirewallConfig withVerdict(Verdict v) {
    return new FirewallConfig(backend, set4, set6, chain, nftTable, ports, v);
  }

  /** {@code 443,8443}: the ports as multiport and nft write them (nft with a space). */
  String portList(String separator) {
    StringBuilder s = new StringBuilder();
    for (int port : ports) {
      if (s.length() > 0) {
        s.append(separator);
      }
      s.append(port);
    }
    return s.toString();
  }

  private static void check(String field, String value, Pattern pattern, String expected) {
    if (value == null || !pattern.matcher(value).matches()) {
      throw new IllegalArgumentException(field + ": '" + value + "' (expected: " + expected + ")");
    }
  }
}
