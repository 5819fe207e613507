package io.wssguard.ban;

import io.wssguard.net.Cidr;
import java.util.List;

/**
 * The blocks no ban may touch (the policies' allow lists and trusted proxies, the PROXY-protocol
 * senders of the listeners): one immutable list, replaced whole when the policies reload, and the
 * one wording of a refusal that every kind of {@link Bans} gives.
 */
final class NeverBan {
  static final NeverBan NONE = new NeverBan(List.of());

  private final List<Cidr> blocks;

  private NeverBan(List<Cidr> blocks) {
    this.blocks = blocks;
  }

  static NeverBan of(List<Cidr> blocks) {
    return blocks.isEmpty() ? NONE : new NeverBan(List.copyOf(blocks));
  }

  /** The never-ban block that {@code target} overlaps (either way round), or {@code null}. */
  Cidr protecting(Cidr target) {
    for (Cidr never : blocks) {
      if (never.overlaps(target)) {
        return never;
      }
    }
    return null;
  }

  /** Why {@code target} is not banned, or {@code null} when it may be. */
  String refusal(Cidr target) {
    Cidr by = protecting(target);
    return by == null
        ? null
        : "not banning " + target.shortText() + ": it overlaps never-ban " + by.shortText();
  }
}
