package io.wssguard.limit;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.nio.ByteBuffer;

/**
 * Who a client is for counting: its IPv4 address, or the IPv6 block of the configured prefix (a
 * single host usually owns a whole /64, so counting addresses would let it multiply its limits), or
 * a wider IPv6 block around it ({@link SourceBlocks}). The prefix is part of the key: the /48 and
 * the first /64 inside it share their bits but not their counts.
 */
public record SourceKey(long high, long low, int prefix, boolean v4) {

  public static SourceKey of(InetAddress address, int ipv6Prefix) {
    byte[] a = address.getAddress();
    if (address instanceof Inet4Address) {
      return new SourceKey(0, ByteBuffer.wrap(a).getInt() & 0xFFFFFFFFL, 32, true);
    }
    ByteBuffer b = ByteBuffer.wrap(a);
    long high = b.getLong();
    long low = b.getLong();
    if (ipv6Prefix <= 64) {
      high &= ipv6Prefix == 0 ? 0 : -1L << (64 - ipv6Prefix);
      low = 0;
    } else if (ipv6Prefix < 128) {
      low &= -1L << (128 - ipv6Prefix);
    }
    return new SourceKey(high, low, ipv6Prefix, false);
  }
}
