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
    return Cidr.of(address, prefix);
  }

  /** The same block with the host bits below its prefix cleared, so equal blocks are equal records. */
  public static Cidr normalize(Cidr cidr) {
    Cidr masked = Cidr.of(cidr.network(), cidr.prefix());
    return masked.equals(cidr) ? cidr : masked;
  }

  /** Whether two blocks share at least one address. */
  public static boolean overlaps(Cidr a, Cidr b) {
    return a.overlaps(b);
  }

  /**
   * How a block is written on the command line, in the journal and in firewall rules: a single address without its
   * prefix, IPv6 in its short form (RFC 5952: {@code 2001:db8::/48}, not Java's {@code 2001:db8:0:0:0:0:0:0/48}).
   */
  public static String format(Cidr cidr) {
    int max = cidr.network() instanceof Inet4Address ? 32 : 128;
    return cidr.prefix() == max ? cidr.addressText() : cidr.toString();
  }

  /** {@link #format} with the prefix always written, as {@code iptables -s} shows it. */
  public static String formatWithPrefix(Cidr cidr) {
    return cidr.toString();
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
}
