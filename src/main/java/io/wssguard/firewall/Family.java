package io.wssguard.firewall;

import io.wssguard.net.Cidr;
import java.net.Inet4Address;

/** IPv4 or IPv6, with the per-family names of the tools that load rules into the kernel. */
public enum Family {
  IPV4("iptables", "iptables-restore"),
  IPV6("ip6tables", "ip6tables-restore");

  final String iptables;
  final String restore;

  Family(String iptables, String restore) {
    this.iptables = iptables;
    this.restore = restore;
  }

  static Family of(Cidr cidr) {
    return cidr.network() instanceof Inet4Address ? IPV4 : IPV6;
  }
}
