package io.wssguard.ban;

import io.wssguard.net.Cidr;
import java.net.InetAddress;
import java.time.Duration;
import java.util.List;

/** Where strikes end up: the ban list consulted at every handshake. */
public interface Bans {
  /** Whether {@code address} is banned now (fast: asked once per handshake). */
  boolean isBanned(InetAddress address);

  /**
   * Bans the source block containing {@code address} ({@code prefix} bits: 32 for IPv4, the
   * policy's IPv6 prefix), or extends its ban (the later end wins), unless the block overlaps a
   * never-ban block: then nothing is banned and the outcome says why.
   *
   * @param history the strikes that led to it, oldest first
   * @param by who bans ({@code strikes}, {@code admin API}, {@code fleet}, ...), for listings
   * @throws IllegalArgumentException duration not positive or over 100 years, or prefix 0
   */
  BanOutcome ban(
      InetAddress address,
      int prefix,
      Duration duration,
      String reason,
      List<String> history,
      String by);

  /**
   * Replaces the blocks that are never banned (the policies' allow lists and trusted proxies, the
   * listeners' PROXY-protocol senders; recomputed at every policy reload). Bans in force that
   * overlap them are lifted.
   */
  void neverBan(List<Cidr> blocks);

  /**
   * Replaces the most bans held ({@code bans.max}, at start and at every reload). Bans already held
   * over a lowered cap stay until they end; the next ban at the cap is widened ({@link BanCap}).
   */
  void cap(BanCap cap);

  /** The bans in force now (expired ones left out), for the admin API and the bans gauge. */
  List<Ban> active();

  /**
   * The appliance that made the ban on {@code target}, for listings, or {@code null} when bans are
   * not shared (only a fleet's bans have an origin: {@code io.wssguard.fleet.FleetBans}).
   */
  default String origin(Cidr target) {
    return null;
  }

  /** Lifts the ban on exactly {@code target}; returns whether there was one. */
  boolean unban(Cidr target);

  /**
   * How many bans have run out since start (a counter for metrics; may lag until {@link #active()}
   * is asked).
   */
  long expiredCount();
}
