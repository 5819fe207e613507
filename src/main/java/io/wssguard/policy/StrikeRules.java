package io.wssguard.policy;

import java.time.Duration;

/**
 * {@code maxStrikes} strikes within {@code window} ban the source for {@code banFor} (its
 * connections closed at accept), and {@link #BANS_TO_ESCALATE} such bans inside one widest IPv6
 * block within {@code window} ban that block.
 *
 * @param protocolViolations whether a client's breach of RFC 6455 after the upgrade (the proxy
 *     closes with 1002 or 1007) is a strike too; off by default, since a buggy client (invalid
 *     UTF-8, say) would be banned with the fuzzers
 */
public record StrikeRules(
    int maxStrikes, Duration window, Duration banFor, boolean protocolViolations) {
  /** Source bans inside one widest {@code perIp.ipv6Blocks} block that ban the block itself. */
  public static final int BANS_TO_ESCALATE = 3;

  /** Without strikes for protocol violations. */
  public StrikeRules(int maxStrikes, Duration window, Duration banFor) {
    this(maxStrikes, window, banFor, false);
  }
}
