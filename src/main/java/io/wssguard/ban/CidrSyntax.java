package io.wssguard.ban;

import io.wssguard.policy.Cidr;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.regex.Pattern;

/**
 * Address and block literals as people type them ({@code 203.0.113.7}, {@code 203.0.113.0/24}, {@code 2001:db8::/48}).
 * Only literals: nothing here ever asks DNS. Host bits below the prefix are cleared, so {@code 10.1.2.3/8} and
 * {@code 10.0.0.0/8} name the same block.
 */
public final class CidrSyntax {
  private static final Pattern IPV4 = Pattern.compile("(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])"
      + "(\\.(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])){3}");
  private static final Pattern IPV6 = Pattern.compile("[0-9A-Fa-f:.]{2,45}");
  private static final Pattern PREFIX = Pattern.compile("[0-9]{1,3}");

  private CidrSyntax() {}

  /** The block {@code text} names, or {@link IllegalArgumentException} with a message fit for the user. */
  public static Cidr parse(String text) {
    String addressText = text;
    String prefixText = null;
    int slash = text.indexOf('/');
    if (slash >= 0) {
      addressText = text.substring(0, slash);
      prefixText = text.substring(slash + 1);
    }
    InetAddress address = literal(addressText);
    if (address == null) {
      throw bad(text);
    }
    int max = address instanceof Inet4Address ? 32 : 128;
    int prefix = max;
    if (prefixText != null) {
      if (!PREFIX.matcher(prefixText).matches() || Integer.parseInt(prefixText) > max) {
        throw bad(text);
      }
      prefix = Integer.parseInt(prefixText);
    }
    return new Cidr(masked(address, prefix), prefix);
  }

  /** The same block with the host bits below its prefix cleared, so equal blocks are equal records. */
  public static Cidr normalize(Cidr cidr) {
    InetAddress network = masked(cidr.network(), cidr.prefix());
    return network.equals(cidr.network()) ? cidr : new Cidr(network, cidr.prefix());
  }

  /** Whether two blocks share at least one address. */
  public static boolean overlaps(Cidr a, Cidr b) {
    Cidr wider = a.prefix() <= b.prefix() ? a : b;
    Cidr narrower = wider == a ? b : a;
    return wider.contains(narrower.network());
  }

  /**
   * How a block is written on the command line, in the journal and in firewall rules: a single address without its
   * prefix, IPv6 in its short form (RFC 5952: {@code 2001:db8::/48}, not Java's {@code 2001:db8:0:0:0:0:0:0/48}).
   */
  public static String format(Cidr cidr) {
    int max = cidr.network() instanceof Inet4Address ? 32 : 128;
    String address = max == 32 ? cidr.network().getHostAddress() : shortIpv6(cidr.network().getAddress());
    return cidr.prefix() == max ? address : address + "/" + cidr.prefix();
  }

  /** {@link #format} with the prefix always written, as {@code iptables -s} shows it. */
  public static String formatWithPrefix(Cidr cidr) {
    String text = format(cidr);
    return text.indexOf('/') >= 0 ? text : text + "/" + cidr.prefix();
  }

  private static String shortIpv6(byte[] b) {
    int[] groups = new int[8];
    for (int i = 0; i < 8; i++) {
      groups[i] = ((b[2 * i] & 0xFF) << 8) | (b[2 * i + 1] & 0xFF);
    }
    // The longest run of two or more zero groups (the first of equals) becomes "::".
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
    StringBuilder s = new StringBuilder();
    for (int i = 0; i < 8; i++) {
      if (i == bestStart) {
        s.append("::");
        i += bestLength - 1;
        continue;
      }
      if (s.length() > 0 && s.charAt(s.length() - 1) != ':') {
        s.append(':');
      }
      s.append(Integer.toHexString(groups[i]));
    }
    return s.toString();
  }

  private static IllegalArgumentException bad(String text) {
    return new IllegalArgumentException("'" + text + "' is not an address or CIDR block"
        + " (expected e.g. 203.0.113.7 or 203.0.113.0/24)");
  }

  private static InetAddress literal(String text) {
    boolean v6 = text.indexOf(':') >= 0;
    if (v6 ? !IPV6.matcher(text).matches() : !IPV4.matcher(text).matches()) {
      return null;
    }
    try {
      // A literal is parsed locally; with the patterns above no name can reach the resolver.
      InetAddress address = InetAddress.getByName(text);
      // "::ffff:1.2.3.4" comes back as an IPv4 address; refuse it rather than guess which prefix was meant.
      return v6 && !(address instanceof Inet6Address) ? null : address;
    } catch (UnknownHostException e) {
      return null;
    }
  }

  private static InetAddress masked(InetAddress address, int prefix) {
    byte[] bytes = address.getAddress();
    for (int i = 0; i < bytes.length; i++) {
      int keep = Math.max(0, Math.min(8, prefix - 8 * i));
      bytes[i] &= (byte) (0xFF00 >> keep);
    }
    try {
      return InetAddress.getByAddress(bytes);
    } catch (UnknownHostException e) {
      throw new AssertionError(e);
    }
  }
}
