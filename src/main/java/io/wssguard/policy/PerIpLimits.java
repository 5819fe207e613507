package io.wssguard.policy;

import java.util.List;

/**
 * Limits on one source address (IPv6: its configured prefix), summed over all its connections. Any
 * may be null.
 *
 * @param handshakes new connections per second (action REJECT: 429)
 * @param connections concurrent connections (action REJECT: 429)
 * @param messages messages per second
 * @param bytes payload bytes per second
 * @param ipv6Blocks wider IPv6 blocks counted as well, narrowest first, each with {@code
 *     handshakes} and {@code connections} budgets of {@code factor} times the source's own (see
 *     {@link Ipv6Block})
 * @param fleet the limits written with {@code scope: fleet}: their budget is shared by every node
 *     of the fleet (docs/FLEET.md), where they were written (a configuration without a {@code
 *     cluster} block refuses them there)
 */
public record PerIpLimits(
    RateLimit handshakes,
    CountLimit connections,
    RateLimit messages,
    RateLimit bytes,
    List<Ipv6Block> ipv6Blocks,
    List<FleetScope> fleet) {

  /**
   * The /56 with 4 times and the /48 with 16 times the source's budget: a host that rotates through
   * the 65,536 /64s of its /48 gets 16 sources' worth, not 65,536 (docs/POLICIES.md).
   */
  public static final List<Ipv6Block> DEFAULT_IPV6_BLOCKS =
      List.of(new Ipv6Block(56, 4), new Ipv6Block(48, 16));

  public static final PerIpLimits NONE = new PerIpLimits(null, null, null, null);

  public PerIpLimits {
    ipv6Blocks = List.copyOf(ipv6Blocks);
    fleet = List.copyOf(fleet);
  }

  /** Limits counted on this node alone, with the default IPv6 blocks. */
  public PerIpLimits(
      RateLimit handshakes, CountLimit connections, RateLimit messages, RateLimit bytes) {
    this(handshakes, connections, messages, bytes, DEFAULT_IPV6_BLOCKS, List.of());
  }

  /** Whether the limit of this key ({@code connections}, say) is shared by the fleet. */
  public boolean fleet(String limit) {
    for (FleetScope f : fleet) {
      if (f.limit().equals(limit)) {
        return true;
      }
    }
    return false;
  }

  /**
   * A limit written with {@code scope: fleet}.
   *
   * @param limit its key: handshakes, connections, messages or bytes
   * @param line where {@code scope} stands in its file, 1-based (for the error a configuration
   *     without a cluster block gets)
   */
  public record FleetScope(String limit, int line, int column) {}

  /**
   * An IPv6 block wider than the counted prefix, with budgets of {@code factor} times the source's.
   *
   * @param prefix 16..127, shorter than {@code access.ipv6Prefix}
   * @param factor 1..65536
   */
  public record Ipv6Block(int prefix, int factor) {}
}
