package io.wssguard.policy;

import java.net.InetAddress;

/** An address block, IPv4 or IPv6: {@code 10.0.0.0/8}, {@code 2001:db8::/32}; a single address has the full prefix. */
public record Cidr(InetAddress network, int prefix) {

  /** The block of {@code prefix} bits that contains {@code address} (host bits cleared). */
  public static Cidr of(InetAddress address, int prefix) {
    byte[] a = address.getAddress();
    for (int bit = prefix; bit < a.length * 8; bit++) {
      a[bit / 8] &= (byte) ~(0x80 >>> (bit % 8));
    }
    try {
      return new Cidr(InetAddress.getByAddress(a), prefix);
    } catch (java.net.UnknownHostException e) {
      throw new IllegalStateException("4 or 16 bytes are always an address", e);
    }
  }

  /** Whether {@code address} lies in this block (an IPv4 block never contains an IPv6 address and vice versa). */
  public boolean contains(InetAddress address) {
    byte[] a = address.getAddress();
    byte[] n = network.getAddress();
    if (a.length != n.length) {
      return false;
    }
    int full = prefix / 8;
    for (int i = 0; i < full; i++) {
      if (a[i] != n[i]) {
        return false;
      }
    }
    int rest = prefix % 8;
    if (rest == 0) {
      return true;
    }
    int mask = (0xFF << (8 - rest)) & 0xFF;
    return (a[full] & mask) == (n[full] & mask);
  }

  @Override
  public String toString() {
    return network.getHostAddress() + "/" + prefix;
  }
}
