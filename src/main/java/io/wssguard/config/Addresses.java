package io.wssguard.config;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.Locale;
import java.util.regex.Pattern;

/** Syntax of the host names and {@code host:port} bind addresses the config file accepts. */
public final class Addresses {
  private static final Pattern LABEL = Pattern.compile("[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?");
  private static final Pattern PORT = Pattern.compile("[0-9]{1,5}");

  private Addresses() {}

  /** Thrown with a short reason; the caller turns it into a positioned config error. */
  static final class BadAddress extends Exception {
    private static final long serialVersionUID = 1L;

    BadAddress(String reason) {
      super(reason, null, false, false);
    }
  }

  /**
   * {@code host:port} or {@code [v6]:port}, port 0..65535. The host is resolved now (IP literals
   * need no lookup), so a name that does not resolve fails at start-up rather than at bind time.
   */
  static InetSocketAddress parseBind(String text) throws BadAddress {
    String host;
    String port;
    if (text.startsWith("[")) {
      int close = text.indexOf("]:");
      if (close < 0) {
        throw new BadAddress(null);
      }
      host = text.substring(1, close);
      port = text.substring(close + 2);
      if (host.indexOf(':') < 0) {
        throw new BadAddress(null);
      }
    } else {
      int colon = text.lastIndexOf(':');
      if (colon <= 0 || text.indexOf(':') != colon) {
        throw new BadAddress(null);
      }
      host = text.substring(0, colon);
      port = text.substring(colon + 1);
      if (!isHostName(lowerCase(host), false)) {
        throw new BadAddress(null);
      }
    }
    if (!PORT.matcher(port).matches() || Integer.parseInt(port) > 65535) {
      throw new BadAddress(null);
    }
    InetAddress address;
    try {
      address = InetAddress.getByName(host);
    } catch (UnknownHostException e) {
      throw new BadAddress(
          host.indexOf(':') >= 0 ? "not an IPv6 address" : "cannot resolve '" + host + "'");
    }
    if (host.indexOf(':') >= 0 && !(address instanceof Inet6Address)) {
      throw new BadAddress("not an IPv6 address");
    }
    return new InetSocketAddress(address, Integer.parseInt(port));
  }

  /**
   * A DNS name (letters, digits, hyphens; lower-cased by the caller), optionally {@code *.}
   * followed by one.
   */
  public static boolean isHostName(String name, boolean allowWildcard) {
    String rest = allowWildcard && name.startsWith("*.") ? name.substring(2) : name;
    if (rest.isEmpty() || rest.length() > 253) {
      return false;
    }
    for (String label : rest.split("\\.", -1)) {
      if (!LABEL.matcher(label).matches()) {
        return false;
      }
    }
    return true;
  }

  public static String lowerCase(String name) {
    return name.toLowerCase(Locale.ROOT);
  }

  /** As written in the config file: {@code 127.0.0.1:8443}, {@code [::1]:8443}. */
  static String format(InetSocketAddress address) {
    String host = address.getAddress().getHostAddress();
    return (address.getAddress() instanceof Inet6Address ? "[" + host + "]" : host)
        + ":"
        + address.getPort();
  }
}
