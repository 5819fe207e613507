package io.wssguard.server;

import io.undertow.Undertow;
import io.undertow.protocols.ssl.UndertowXnioSsl;
import io.wssguard.backend.BackendDialer;
import io.wssguard.backend.BackendGroup;
import io.wssguard.config.BackendGroupConfig;
import io.wssguard.config.ListenerConfig;
import io.wssguard.config.ProxyConfig;
import io.wssguard.config.RouteConfig;
import io.wssguard.limit.PolicyStore;
import io.wssguard.policy.PolicyParser;
import io.wssguard.policy.PolicySet;
import io.wssguard.tls.BackendTls;
import io.wssguard.tls.ServerTls;
import io.wssguard.tls.TlsSetupException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.logging.Logger;
import org.xnio.OptionMap;
import org.xnio.Xnio;

/**
 * Everything a new handshake needs that the configuration file decides: the routes with their
 * backend groups and dialers (backend TLS included), the timeouts, the policies the routes name,
 * and each TLS listener's certificates. Immutable; built whole off the IO threads, by start-up, by
 * a reload and by {@code wssguard check} alike, so the three cannot disagree.
 *
 * <p>A handshake reads the current snapshot once and keeps what it chose; an established relay
 * holds its own backend connection and group, never the snapshot, so a reload cannot touch it.
 * Policies are the exception by design: connections read them by name from the one {@link
 * PolicyStore}, so a tightened limit reaches them at their next frame.
 */
public final class RuntimeSnapshot {
  private static final Logger LOG = Logger.getLogger(RuntimeSnapshot.class.getName());

  private final ProxyConfig config;
  private final PolicySet policies;
  private final List<Route> routes;
  private final Map<String, BackendGroup> groups;
  private final Map<String, ServerTls> tls;

  private RuntimeSnapshot(
      ProxyConfig config,
      PolicySet policies,
      List<Route> routes,
      Map<String, BackendGroup> groups,
      Map<String, ServerTls> tls) {
    this.config = config;
    this.policies = policies;
    this.routes = routes;
    this.groups = groups;
    this.tls = tls;
  }

  /**
   * Builds and checks everything; throws with every problem found.
   *
   * @param store where the routes read their policies (by name); not changed here
   * @param previous the snapshot in force, or null: backend groups whose configuration did not
   *     change are kept, with their health and connection counts
   */
  public static RuntimeSnapshot build(
      ProxyConfig config,
      PolicySet policies,
      PolicyStore store,
      Xnio xnio,
      RuntimeSnapshot previous)
      throws SnapshotException {
    String file = config.source() == null ? "<embedded defaults>" : config.source().toString();
    List<String> errors = new ArrayList<>();
    PolicyParser.missingPolicies(config, policies).forEach(m -> errors.add(file + ": " + m));
    errors.addAll(PolicyParser.fleetWithoutCluster(config, policies));

    Map<String, ServerTls> tls = new HashMap<>();
    for (ListenerConfig l : config.listeners()) {
      if (l.tls() == null) {
        continue;
      }
      try {
        tls.put(l.name(), ServerTls.create(l.tls()));
      } catch (TlsSetupException e) {
        errors.add(located(file, "listener '" + l.name() + "'", e));
      }
    }

    Map<String, BackendGroup> groups = new HashMap<>();
    Map<String, BackendDialer> dialers = new HashMap<>();
    for (BackendGroupConfig g : config.backends().values()) {
      BackendGroup kept = previous == null ? null : previous.groups.get(g.name());
      groups.put(g.name(), kept != null && kept.config().equals(g) ? kept : new BackendGroup(g));
      try {
        dialers.put(g.name(), new BackendDialer(backendSsl(g, xnio)));
      } catch (TlsSetupException e) {
        errors.add(located(file, "backend group '" + g.name() + "'", e));
      }
    }
    if (!errors.isEmpty()) {
      throw new SnapshotException(errors);
    }

    List<Route> routes = new ArrayList<>();
    for (RouteConfig rc : config.routes()) {
      routes.add(
          new Route(
              rc, groups.get(rc.backend()), dialers.get(rc.backend()), store.view(rc.policy())));
    }
    return new RuntimeSnapshot(
        config, policies, List.copyOf(routes), Map.copyOf(groups), Map.copyOf(tls));
  }

  /**
   * Builds a snapshot and throws it away: everything a start would load, short of sockets and
   * threads ({@code wssguard check}).
   */
  public static void check(ProxyConfig config, PolicySet policies) throws SnapshotException {
    build(
        config,
        policies,
        new PolicyStore(List.of(), policies),
        Xnio.getInstance(Undertow.class.getClassLoader()),
        null);
  }

  /** A group with a {@code wss://} server gets its TLS client context; others none. */
  private static UndertowXnioSsl backendSsl(BackendGroupConfig g, Xnio xnio)
      throws TlsSetupException {
    if (g.servers().stream().noneMatch(u -> "wss".equalsIgnoreCase(u.getScheme()))) {
      return null;
    }
    if (g.tls().insecure()) {
      LOG.warning("backend group '" + g.name() + "' accepts any certificate (tls.insecure: true)");
    }
    return new UndertowXnioSsl(xnio, OptionMap.EMPTY, BackendTls.clientContext(g.tls()));
  }

  /**
   * File problems already start with the file ({@code /etc/wssguard/certs/x.pem: ...}); others get
   * the configuration file and the part they belong to.
   */
  private static String located(String configFile, String part, TlsSetupException e) {
    String message = e.getMessage();
    return message.startsWith("/") ? message : configFile + ": " + part + ": " + message;
  }

  public ProxyConfig config() {
    return config;
  }

  public PolicySet policies() {
    return policies;
  }

  List<Route> routes() {
    return routes;
  }

  Map<String, BackendGroup> groups() {
    return groups;
  }

  /** The TLS of a listener, or null for a plain one. */
  public ServerTls tls(String listener) {
    return tls.get(listener);
  }
}
