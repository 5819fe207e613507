package io.wssguard.net;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.regex.Pattern;

/**
 * An address block, IPv4 or IPv6: {@code 10.0.0.0/8}, {@code 2001:db8::/32}; a single address has
 * the full prefix. The one address and block type of config, policies, bans, firewall rules, the
 * CLI and the admin API, with one parser ({@link #parse}). A block always holds its first address:
 * the constructor clears host bits, so equal blocks are equal records.
 */
public record Cidr(InetAddress network, int prefix) {
  private static final Pattern IPV4 =
      Pattern.compile("(0|[1-9][0-9]{0,2})(\\.(0|[1-9][0-9]{0,2})){3}");
  private static final Pattern IPV6 = Pattern.compile("(?=.*:)[0-9A-Fa-f:][0-9A-Fa-f:.]*");
  private static final Pattern PREFIX = Pattern.compile("0|[1-9][0-9]{0,2}");

  public Cidr {
    if (network == null || prefix < 0 || prefix > network.getAddress().length * 8) {
      throw new IllegalArgumentException("not an address block: " + network + "/" + prefix);
    }
    network = masked(network, prefix);
  }

  /**
   * Reads {@code 10.0.0.0/8}, {@code 2001:db8::/32}, or a single address ({@code 192.0.2.7}, {@code
   * ::1}). Only literals are accepted (nothing is looked up), IPv4 in plain dotted decimal (no
   * leading zeros, which some readers take for octal), IPv6 without zone or brackets. The address
   * must be the block's first one: {@code 10.0.0.1/8} is refused with the corrected block in the
   * message, as the host bits would otherwise be silently ignored.
   *
   * @throws IllegalArgumentException whose message says what was expected, e.g. {@code expected:
   *     10.0.0.0/8, the block's first address}; callers put the offending text and its position in
   *     front
   */
  public static Cidr parse(String text) {
    int slash = text.indexOf('/');
    String address = slash < 0 ? text : text.substring(0, slash);
    String prefixText = slash < 0 ? null : text.substring(slash + 1);
    InetAddress literal = literal(address);
    if (literal == null || (prefixText != null && !PREFIX.matcher(prefixText).matches())) {
      throw new IllegalArgumentException(
          "expected: address block like 10.0.0.0/8 or 2001:db8::/32, or one address");
    }
    int bits = literal.getAddress().length * 8;
    int prefix = prefixText == null ? bits : Integer.parseInt(prefixText);
    if (prefix > bits) {
      throw new IllegalArgumentException("expected: prefix length 0.." + bits);
    }
    Cidr block = new Cidr(literal, prefix);
    if (!block.network.equals(literal)) {
      throw new IllegalArgumentException("expected: " + block + ", the block's first address");
    }
    return block;
  }

  /**
   * One address written as a literal ({@code 192.0.2.7}, {@code 2001:db8::1}), or null when {@code
   * text} is anything else, a host name included: nothing is ever looked up, so it is safe on an IO
   * thread and for text a client chose ({@code X-Forwarded-For}). The same forms as {@link #parse}.
   */
  public static InetAddress address(String text) {
    return literal(text);
  }

  private static InetAddress literal(String text) {
    try {
      if (IPV4.matcher(text).matches()) {
        byte[] bytes = new byte[4];
        String[] parts = text.split("\\.", -1);
        for (int i = 0; i < 4; i++) {
          int octet = Integer.parseInt(parts[i]);
          if (octet > 255) {
            return null;
          }
          bytes[i] = (byte) octet;
        }
        return InetAddress.getByAddress(bytes);
      }
      // Hex digits, colons and dots, starting with a hex digit or colon and holding a colon: the
      // JDK parses this as an
      // IPv6 literal and never looks it up.
      if (IPV6.matcher(text).matches()) {
        InetAddress address = InetAddress.getByName(text);
        return address instanceof Inet6Address ? address : null; // ::ffff:a.b.c.d: write it as IPv4
      }
    } catch (UnknownHostException e) {
      return null;
    }
    return null;
  }

  /** {@code address} with every bit after {@code prefix} cleared. */
  private static InetAddress masked(InetAddress address, int prefix) {
    byte[] bytes = address.getAddress();
    boolean changed = false;
    for (int i = 0; i < bytes.length; i++) {
      int keep = Math.max(0, Math.min(8, prefix - i * 8));
      byte kept = (byte) (bytes[i] & (0xFF << (8 - keep)));
      changed |= kept != bytes[i];
      bytes[i] = kept;
    }
    try {
      return changed ? InetAddress.getByAddress(bytes) : address;
    } catch (UnknownHostException e) {
      throw new AssertionError(e); // only thrown for a wrong array length
    }
  }

  /** The block of {@code prefix} bits that contains {@code address} (host bits cleared). */
  public static Cidr of(InetAddress address, int prefix) {
    return new Cidr(address, prefix);
  }

  /**
   * Whether {@code address} lies in this block (an IPv4 block never contains an IPv6 address and
   * vice versa).
   */
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

  /** Whether every address of {@code other} lies in this block. */
  public boolean contains(Cidr other) {
    return other.prefix >= prefix && contains(other.network);
  }

  /** Whether the two blocks share at least one address. */
  public boolean overlaps(Cidr other) {
    return contains(other) || other.contains(this);
  }

  /**
   * The network address as written by people: dotted IPv4, IPv6 in its shortest form (RFC 5952).
   */
  public String addressText() {
    return network instanceof Inet6Address
        ? compressed(network.getAddress())
        : network.getHostAddress();
  }

  /**
   * How a block is written on the command line, in the journal and in the admin API: a single
   * address without its prefix ({@code 203.0.113.7}), a block with it ({@code 2001:db8::/48}).
   */
  public String shortText() {
    return prefix == network.getAddress().length * 8 ? addressText() : toString();
  }

  /** {@code 10.0.0.0/8}; IPv6 in its shortest form (RFC 5952), {@code 2001:db8::/32}. */
  @Override
  public String toString() {
    return addressText() + "/" + prefix;
  }

  /**
   * RFC 5952 section 4: lower-case hex, no leading zeros, the longest run of two or more zero
   * groups as {@code ::}.
   */
  private static String compressed(byte[] bytes) {
    int[] groups = new int[8];
    for (int i = 0; i < 8; i++) {
      groups[i] = ((bytes[2 * i] & 0xFF) << 8) | (bytes[2 * i + 1] & 0xFF);
    }
    int bestStart = -1;
    int bestLength = 1;
    for (int i = 0; i < 8; ) {
      int j = i;
      while (j < 8 && groups[j] == 0) {
        j++;
      }
      if (j - i > bestLength) {
        bestStart = i;
        bestLength = j - i;
      }
      i = j == i ? i + 1 : j;
    }
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < 8; i++) {
      if (i == bestStart) {
        out.append("::");
        i += bestLength - 1;
        continue;
      }
      if (out.length() > 0 && out.charAt(out.length() - 1) != ':') {
        out.append(':');
      }
      out.append(Integer.toHexString(groups[i]));
    }
    return out.toString();
  }
}
