package io.wssguard.limit;

import java.net.InetAddress;
import java.time.Duration;
import java.util.List;

/** Where strikes end up: the ban list consulted at every handshake. */
public interface Bans {
  /** Whether {@code address} is banned now (fast: asked once per handshake). */
  boolean isBanned(InetAddress address);

  /**
   * Bans the source block containing {@code address} ({@code prefix} bits: 32 for IPv4, the policy's IPv6 prefix).
   *
   * @param history the strikes that led to it, oldest first
   */
  void ban(InetAddress address, int prefix, Duration duration, String reason, List<String> history);
}
