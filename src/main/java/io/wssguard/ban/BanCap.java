package io.wssguard.ban;

import io.wssguard.net.Cidr;
import java.net.Inet4Address;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * The most bans a list holds, and what a ban becomes when the list is full: never dropped, but
 * widened to the block around it (IPv4 /24 then /16, IPv6 /48 then /32), which absorbs the bans
 * already inside it. The first of those blocks that brings the list back within the cap is taken;
 * if none does (the bans are spread over that many distinct /16s or /32s), the /24 or /48 is banned
 * anyway and the list goes over the cap by one rather than let a source in.
 *
 * <p>An attacker who can fill the list can therefore make its neighbours in the same /24 or /48
 * share its ban; that is the price of a bounded list, and the reason the default cap (100,000) is
 * far above what strikes produce in normal operation.
 */
public final class BanCap {
  public static final int DEFAULT_MAX = 100_000;

  private static final int[] WIDER_V4 = {24, 16};
  private static final int[] WIDER_V6 = {48, 32};

  private final int max;

  public BanCap(int max) {
    if (max < 1) {
      throw new IllegalArgumentException("bans.max " + max + " (expected: at least 1)");
    }
    this.max = max;
  }

  public int max() {
    return max;
  }

  /**
   * The block to ban for {@code target} when {@code banned} are the blocks banned now: {@code
   * target} itself while there is room (or it is banned already), else the block it is widened to.
   */
  Cidr target(Cidr target, Collection<Cidr> banned) {
    if (banned.size() < max || banned.contains(target)) {
      return target;
    }
    Cidr first = null;
    for (int prefix : target.network() instanceof Inet4Address ? WIDER_V4 : WIDER_V6) {
      if (prefix >= target.prefix()) {
        continue;
      }
      Cidr wider = Cidr.of(target.network(), prefix);
      if (first == null) {
        first = wider;
      }
      int inside = absorbed(wider, banned).size();
      int after = banned.size() - inside + (banned.contains(wider) ? 0 : 1);
      if (after <= max) {
        return wider;
      }
    }
    return first != null ? first : target;
  }

  /** The bans that banning {@code wider} makes redundant (those strictly inside it). */
  static List<Cidr> absorbed(Cidr wider, Collection<Cidr> banned) {
    List<Cidr> inside = new ArrayList<>();
    for (Cidr c : banned) {
      if (!c.equals(wider) && wider.contains(c)) {
        inside.add(c);
      }
    }
    return inside;
  }
}
