package io.wssguard.limit;

import io.wssguard.policy.StrikeRules;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Recent bans of sources, counted per widest IPv6 block of the policy ({@code perIp.ipv6Blocks},
 * the /48 by default): the {@link #TO_ESCALATE}th within the strike window bans the whole block, so
 * rotating /64s inside one /48 buys an attacker at most two /64 bans' worth of time.
 *
 * <p>Kept apart from the {@link SourceTable} on purpose: that table is a cache an attacker can
 * churn by showing many new sources, and evicting a block's state must not forget its bans. An
 * entry here is made only by a ban, which the attacker cannot cheaply produce, and is dropped only
 * once its newest ban is older than the window.
 */
final class BlockBans {
  static final int TO_ESCALATE = StrikeRules.BANS_TO_ESCALATE;

  /** Entries over which a ban first drops the blocks whose window has passed. */
  private static final int PRUNE_ABOVE = 100_000;

  private final Map<SourceKey, Recent> recent = new ConcurrentHashMap<>();

  /** The times of a block's last bans, a ring of {@link #TO_ESCALATE}. */
  private static final class Recent {
    final long[] at = new long[TO_ESCALATE];
    int count;
    long newest;

    /** Records a ban at {@code now}; returns how many fell within the window, this one included. */
    synchronized int add(long now, long windowNanos) {
      at[count % TO_ESCALATE] = now;
      count++;
      newest = now;
      int within = 0;
      for (int i = 0; i < Math.min(count, TO_ESCALATE); i++) {
        if (now - at[i] <= windowNanos) {
          within++;
        }
      }
      return within;
    }

    synchronized boolean quietSince(long since) {
      return newest - since < 0;
    }
  }

  /**
   * A source inside {@code block} was banned at {@code now}; returns whether the block itself is
   * now to be banned (and forgets its count, so the next escalation needs three new bans).
   */
  boolean sourceBanned(SourceKey block, long now, long windowNanos) {
    if (recent.size() > PRUNE_ABOVE) {
      recent.values().removeIf(r -> r.quietSince(now - windowNanos));
    }
    int within = recent.computeIfAbsent(block, k -> new Recent()).add(now, windowNanos);
    if (within >= TO_ESCALATE) {
      recent.remove(block);
      return true;
    }
    return false;
  }

  int size() {
    return recent.size();
  }
}
