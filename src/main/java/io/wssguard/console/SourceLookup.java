package io.wssguard.console;

import java.net.InetAddress;

/** What the proxy's per-source state says of one source now, for the console's top sources. */
@FunctionalInterface
public interface SourceLookup {
  SourceLookup NONE = address -> null;

  /** IPv6 sources are looked up by their /64, the policies' default block. */
  int IPV6_PREFIX = 64;

  /** Open connections and recent strikes of a source. */
  record Facts(int open, int strikes) {}

  /** The facts of {@code address}'s source, or null when the proxy holds no state for it. */
  Facts of(InetAddress address);
}
