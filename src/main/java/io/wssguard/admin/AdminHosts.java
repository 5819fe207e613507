package io.wssguard.admin;

import io.wssguard.net.Cidr;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Locale;

/**
 * Which {@code Host} headers the admin listener answers: the address the connection came in on with
 * the listener's port ({@code 127.0.0.1:9090}, {@code [::1]:9090}), {@code localhost} on a loopback
 * bind, and the configured names. A web page the operator's browser opens can make the browser talk
 * to the admin port under a name the page's author controls (DNS rebinding), but never with one of
 * these in {@code Host}; such requests get 421 before anything else is looked at. Address literals
 * are parsed without DNS.
 */
final class AdminHosts {
  private final InetSocketAddress bound;
  private final int port;
  private final boolean loopback;
  private final List<String> names;

  AdminHosts(InetSocketAddress bound, List<String> names) {
    this.bound = bound;
    this.port = bound.getPort();
    this.loopback = bound.getAddress().isLoopbackAddress();
    this.names = names.stream().map(n -> n.toLowerCase(Locale.ROOT)).toList();
  }

  int port() {
    return port;
  }

  /** The listener's address as bound. */
  InetSocketAddress bound() {
    return bound;
  }

  /**
   * Whether {@code host} (the header's value, or null when absent) names this listener as reached
   * at {@code local}.
   */
  boolean allows(String host, InetSocketAddress local) {
    if (host == null || host.isEmpty()) {
      return false;
    }
    String name;
    String portText;
    if (host.startsWith("[")) {
      int close = host.indexOf(']');
      if (close < 0) {
        return false;
      }
      name = host.substring(1, close);
      String rest = host.substring(close + 1);
      if (!rest.isEmpty() && !rest.startsWith(":")) {
        return false;
      }
      portText = rest.isEmpty() ? null : rest.substring(1);
    } else {
      int colon = host.lastIndexOf(':');
      if (colon >= 0 && host.indexOf(':') != colon) {
        return false; // an IPv6 literal must be bracketed
      }
      name = colon < 0 ? host : host.substring(0, colon);
      portText = colon < 0 ? null : host.substring(colon + 1);
    }
    if (!portMatches(portText)) {
      return false;
    }
    String lower = name.toLowerCase(Locale.ROOT);
    if (names.contains(lower) || (loopback && lower.equals("localhost"))) {
      return true;
    }
    InetAddress literal = literal(name);
    return literal != null && local != null && literal.equals(local.getAddress());
  }

  private boolean portMatches(String text) {
    if (text == null) {
      return port == 80; // no port in Host means the scheme's default
    }
    if (text.isEmpty() || text.length() > 5 || !text.chars().allMatch(c -> c >= '0' && c <= '9')) {
      return false;
    }
    return Integer.parseInt(text) == port;
  }

  private static InetAddress literal(String text) {
    if (text.indexOf('/') >= 0) {
      return null;
    }
    try {
      Cidr single = Cidr.parse(text);
      return single.prefix() == single.network().getAddress().length * 8 ? single.network() : null;
    } catch (IllegalArgumentException e) {
      return null;
    }
  }
}
