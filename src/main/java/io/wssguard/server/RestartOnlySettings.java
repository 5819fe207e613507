package io.wssguard.server;

import io.wssguard.config.BansConfig;
import io.wssguard.config.ClusterConfig;
import io.wssguard.config.DemoBackendConfig;
import io.wssguard.config.ProxyConfig;
import io.wssguard.quantity.Quantities;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;

/**
 * The settings a reload cannot apply, and the refusal when an edit changes one: a reload applies
 * whole or not at all, so a change that would be silently left for the next restart refuses it
 * instead, naming the key, the running value and the new one.
 *
 * <ul>
 *   <li>{@code admin.bind}: moving the admin listener would leave the reload's own client talking
 *       to a closed socket; {@code admin.accessLog} is wired into its handler chain at start.
 *   <li>{@code bans.journal}, {@code bans.firewall}: the journal is locked and replayed, and the
 *       firewall sync started, once per process.
 *   <li>{@code limits.maxConnections}: the accept gate's cap is sized at start.
 *   <li>{@code timeouts.handshake}, {@code timeouts.maxHeaderBytes}: options of each listener's
 *       HTTP parser; kept listeners would keep the old values while added ones took the new.
 *   <li>{@code demoBackend}: started once, beside the listeners.
 *   <li>{@code cluster}: the fleet's Redis link is made, and the fleet's bans loaded, before the
 *       listeners accept.
 *   <li>{@code record}: the recorder's files and writer thread are set up once.
 * </ul>
 */
final class RestartOnlySettings {
  private record Setting(String key, Function<ProxyConfig, Object> value) {}

  private static final List<Setting> SETTINGS =
      List.of(
          new Setting("admin.bind", c -> hostPort(c.admin().bind())),
          new Setting("admin.accessLog", c -> c.admin().accessLog()),
          new Setting("bans.journal", c -> journal(c.bans())),
          new Setting("bans.firewall", c -> c.bans() == null ? null : c.bans().firewall()),
          new Setting("limits.maxConnections", c -> c.limits().maxConnections()),
          new Setting("timeouts.handshake", c -> c.timeouts().handshake()),
          new Setting("timeouts.maxHeaderBytes", c -> c.timeouts().maxHeaderBytes()),
          new Setting("demoBackend", c -> demo(c.demoBackend())),
          new Setting("cluster", c -> cluster(c.cluster())),
          new Setting("record", ProxyConfig::record));

  private RestartOnlySettings() {}

  /** One line per restart-only setting {@code next} changes, empty when it changes none. */
  static List<String> changes(ProxyConfig running, ProxyConfig next) {
    List<String> changes = new ArrayList<>();
    for (Setting s : SETTINGS) {
      Object was = s.value().apply(running);
      Object now = s.value().apply(next);
      if (!Objects.equals(was, now)) {
        changes.add(
            s.key()
                + ": "
                + text(was)
                + " -> "
                + text(now)
                + ": needs a restart (a reload cannot apply it; the running value stays)");
      }
    }
    return changes;
  }

  private static String text(Object value) {
    if (value instanceof Duration d) {
      return Quantities.formatDuration(d);
    }
    return value == null ? "off" : value.toString();
  }

  private static String hostPort(InetSocketAddress a) {
    return a == null ? null : a.getHostString() + ":" + a.getPort();
  }

  private static Path journal(BansConfig bans) {
    return bans == null ? null : bans.journal();
  }

  private static String cluster(ClusterConfig cluster) {
    return cluster == null
        ? null
        : "node "
            + cluster.node()
            + " at "
            + cluster.redis()
            + ", keyPrefix "
            + cluster.keyPrefix()
            + ", passwordFile "
            + cluster.passwordFile()
            + ", syncInterval "
            + cluster.syncInterval().toMillis()
            + "ms";
  }

  private static String demo(DemoBackendConfig demo) {
    return demo == null ? null : hostPort(demo.bind());
  }
}
