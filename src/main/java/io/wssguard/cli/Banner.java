package io.wssguard.cli;

import io.wssguard.config.ProxyConfig;
import io.wssguard.config.RouteConfig;
import io.wssguard.server.ProxyServer;

/** The few lines printed at start: what listens where, with which TLS engine and certificate. */
final class Banner {
  private Banner() {}

  static String of(ProxyServer server, ProxyConfig cfg) {
    StringBuilder sb = new StringBuilder("wssguard ").append(Version.get()).append(" started\n");
    for (ProxyServer.BoundListener l : server.listeners()) {
      sb.append("  listening ").append(l.url()).append(" (").append(l.config().name());
      if (l.tls() != null) {
        sb.append(", TLS ")
            .append(l.tls().engineDescription())
            .append(", certificate ")
            .append(String.join(" ", l.tls().fingerprints()));
      }
      sb.append(")\n");
    }
    for (RouteConfig r : cfg.routes()) {
      sb.append("  route ")
          .append(r.host() == null ? "" : r.host())
          .append(r.pathPrefix())
          .append(" -> ")
          .append(r.backend())
          .append(' ')
          .append(cfg.backends().get(r.backend()).servers())
          .append('\n');
    }
    if (server.adminUrl() != null) {
      sb.append("  admin ")
          .append(server.adminUrl())
          .append(" (console, metrics, health, status, bans, reload; token in ")
          .append(cfg.admin().tokenFile())
          .append(")\n");
    }
    if (server.demoBackend() != null) {
      var a = server.demoBackend().address();
      sb.append("  demo echo backend ws://")
          .append(a.getHostString())
          .append(':')
          .append(a.getPort())
          .append("/\n");
    }
    return sb.toString();
  }
}
