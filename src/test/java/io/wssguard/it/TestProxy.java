package io.wssguard.it;

import io.wssguard.ban.Bans;
import io.wssguard.ban.MemoryBans;
import io.wssguard.config.AdminConfig;
import io.wssguard.config.BackendGroupConfig;
import io.wssguard.config.BackendTlsConfig;
import io.wssguard.config.Balance;
import io.wssguard.config.BansConfig;
import io.wssguard.config.CertificateConfig;
import io.wssguard.config.LimitsConfig;
import io.wssguard.config.ListenerConfig;
import io.wssguard.config.ProxyConfig;
import io.wssguard.config.RecordConfig;
import io.wssguard.config.RouteConfig;
import io.wssguard.config.TimeoutsConfig;
import io.wssguard.config.TlsConfig;
import io.wssguard.config.TlsEngine;
import io.wssguard.net.Cidr;
import io.wssguard.policy.PolicySet;
import io.wssguard.server.ProxyServer;
import io.wssguard.time.Ticker;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Starts a real wssguard on loopback port 0 with a generated certificate, for integration tests.
 * Listeners: "boring" (TLS by BoringSSL), "jdk" (TLS by the JDK) and "plain".
 */
final class TestProxy implements AutoCloseable {
  final ProxyServer server;

  private TestProxy(ProxyServer server) {
    this.server = server;
  }

  static Builder builder(Path certDir) {
    return new Builder(certDir);
  }

  int port(String listener) {
    return server.listener(listener).address().getPort();
  }

  URI wss(String path) {
    return URI.create("wss://127.0.0.1:" + port("boring") + path);
  }

  @Override
  public void close() {
    server.close();
  }

  static final class Builder {
    private final Path certDir;
    private final Map<String, BackendGroupConfig> backends = new LinkedHashMap<>();
    private final List<RouteConfig> routes = new ArrayList<>();
    private TimeoutsConfig timeouts =
        new TimeoutsConfig(
            Duration.ofSeconds(10),
            8192,
            Duration.ofSeconds(300),
            Duration.ofSeconds(30),
            Duration.ofSeconds(5));
    private long maxMessageBytes = 1 << 20;
    private PolicySet policies = TestPolicies.set(TestPolicies.permissive("default"));
    private Bans bans;
    private Ticker ticker = Ticker.system();
    private List<Cidr> proxyProtocolFrom = List.of();
    private Duration connectTimeout = Duration.ofSeconds(2);
    private AdminConfig admin;
    private LimitsConfig limits = LimitsConfig.DEFAULT;
    private RecordConfig record;
    private BansConfig bansConfig;
    private boolean sessionTickets = true;
    private Duration ticketKeyRotation = TlsConfig.DEFAULT_TICKET_KEY_ROTATION;

    Builder(Path certDir) {
      this.certDir = certDir;
    }

    Builder backend(String name, String... servers) {
      List<URI> uris = new ArrayList<>();
      for (String s : servers) {
        uris.add(URI.create(s));
      }
      backends.put(
          name,
          new BackendGroupConfig(
              name,
              uris,
              Balance.ROUND_ROBIN,
              connectTimeout,
              Duration.ofSeconds(10),
              2000,
              BackendTlsConfig.DEFAULT,
              BackendGroupConfig.DEFAULT_RESOLVE_EVERY));
      return this;
    }

    Builder backendGroup(BackendGroupConfig group) {
      backends.put(group.name(), group);
      return this;
    }

    Builder route(String pathPrefix, String backend) {
      routes.add(new RouteConfig(null, pathPrefix, backend, false, maxMessageBytes, "default"));
      return this;
    }

    Builder route(RouteConfig route) {
      routes.add(route);
      return this;
    }

    Builder maxMessageBytes(long max) {
      this.maxMessageBytes = max;
      return this;
    }

    /**
     * Adds listeners "proxied" (plain) and "proxied-tls" that take PROXY protocol headers from
     * these blocks.
     */
    Builder proxyProtocolFrom(List<Cidr> trusted) {
      this.proxyProtocolFrom = trusted;
      return this;
    }

    Builder policies(PolicySet policies) {
      this.policies = policies;
      return this;
    }

    Builder bans(Bans bans) {
      this.bans = bans;
      return this;
    }

    /**
     * The clock of admission, enforcement and (unless {@link #bans} are given) bans: a test moves a
     * {@code ManualTicker} to refill a bucket or end a ban.
     */
    Builder ticker(Ticker ticker) {
      this.ticker = ticker;
      return this;
    }

    Builder admin(AdminConfig admin) {
      this.admin = admin;
      return this;
    }

    Builder maxConnections(int max) {
      this.limits = new LimitsConfig(max);
      return this;
    }

    /** Records traffic ({@code record} block). */
    Builder record(RecordConfig record) {
      this.record = record;
      return this;
    }

    /**
     * A {@code bans} block whose journal lies in {@code dir}: the state directory, where the live
     * baselines are saved (the bans themselves stay those of {@link #bans}).
     */
    Builder stateDir(Path dir) {
      this.bansConfig = new BansConfig(dir.resolve("bans.journal"), null, BansConfig.DEFAULT_MAX);
      return this;
    }

    /**
     * Session tickets of the TLS listeners ({@code tls.sessionTickets}, {@code ticketKeyRotation}).
     */
    Builder sessionTickets(boolean on, Duration keyRotation) {
      this.sessionTickets = on;
      this.ticketKeyRotation = keyRotation;
      return this;
    }

    Builder timeouts(TimeoutsConfig timeouts) {
      this.timeouts = timeouts;
      return this;
    }

    TestProxy start() throws Exception {
      CertificateConfig cert =
          new CertificateConfig(
              certDir.resolve("cert.pem"), certDir.resolve("key.pem"), List.of(), true);
      InetSocketAddress any = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
      List<String> protocols = List.of("TLSv1.3", "TLSv1.2");
      TlsConfig boring =
          new TlsConfig(
              TlsEngine.BORINGSSL,
              false,
              List.of(cert),
              protocols,
              sessionTickets,
              ticketKeyRotation);
      List<ListenerConfig> listeners =
          new ArrayList<>(
              List.of(
                  new ListenerConfig("boring", any, boring),
                  new ListenerConfig(
                      "jdk",
                      any,
                      new TlsConfig(
                          TlsEngine.JDK,
                          false,
                          List.of(cert),
                          protocols,
                          sessionTickets,
                          ticketKeyRotation)),
                  new ListenerConfig("plain", any, null)));
      if (!proxyProtocolFrom.isEmpty()) {
        listeners.add(new ListenerConfig("proxied", any, null, proxyProtocolFrom));
        listeners.add(new ListenerConfig("proxied-tls", any, boring, proxyProtocolFrom));
      }
      ProxyConfig config =
          new ProxyConfig(
              listeners,
              backends,
              routes,
              timeouts,
              null,
              null,
              bansConfig,
              null,
              admin,
              limits,
              false,
              null,
              record);
      return new TestProxy(
          ProxyServer.start(
              config, policies, bans != null ? bans : new MemoryBans(ticker), ticker));
    }
  }
}
