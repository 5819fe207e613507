package io.wssguard.policy;

import java.time.Duration;

/**
 * {@code maxStrikes} strikes within {@code window} ban the source for {@code banFor} (its
 * connections closed at accept), and {@link #BANS_TO_ESCALATE} such bans inside one widest IPv6
 * block within {@code window} ban that block.
 */
public record StrikeRules(int maxStrikes, Duration window, Duration banFor) {
  /** Source bans inside one widest {@code perIp.ipv6Blocks} block that ban the block itself. */
  public static final int BANS_TO_ESCALATE = 3;
}
