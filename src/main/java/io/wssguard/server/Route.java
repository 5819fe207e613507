package io.wssguard.server;

import io.wssguard.backend.BackendDialer;
import io.wssguard.backend.BackendGroup;
import io.wssguard.config.RouteConfig;
import io.wssguard.limit.PolicyView;
import java.util.List;
import java.util.Locale;

/**
 * A configured route bound to its backend group, the dialer that reaches it and its live policy.
 */
record Route(RouteConfig config, BackendGroup group, BackendDialer dialer, PolicyView policy) {

  /** The first route whose host (if any) and path prefix match, or null. */
  static Route match(List<Route> routes, String host, String path) {
    String h = host == null ? "" : host.toLowerCase(Locale.ROOT);
    for (Route r : routes) {
      RouteConfig c = r.config;
      if (c.host() != null && !c.host().equalsIgnoreCase(h)) {
        continue;
      }
      if (prefixMatches(c.pathPrefix(), path)) {
        return r;
      }
    }
    return null;
  }

  /** {@code /chat} matches {@code /chat} and {@code /chat/room}, not {@code /chatter}. */
  static boolean prefixMatches(String prefix, String path) {
    if (prefix.equals("/") || path.equals(prefix)) {
      return true;
    }
    if (!path.startsWith(prefix)) {
      return false;
    }
    return prefix.endsWith("/") || path.charAt(prefix.length()) == '/';
  }
}
