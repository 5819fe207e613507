package io.wssguard.server;

import io.undertow.Undertow;
import io.undertow.UndertowOptions;
import io.wssguard.backend.BackendDialer;
import io.wssguard.backend.BackendGroup;
import io.wssguard.config.BackendGroupConfig;
import io.wssguard.config.ListenerConfig;
import io.wssguard.config.ProxyConfig;
import io.wssguard.config.RouteConfig;
import io.wssguard.demo.DemoEchoBackend;
import io.wssguard.handshake.HandshakeGate;
import io.wssguard.tls.BackendTls;
import io.wssguard.tls.ServerTls;
import io.wssguard.tls.TlsSetupException;
import io.undertow.protocols.ssl.UndertowXnioSsl;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.logging.Logger;
import org.xnio.OptionMap;
import org.xnio.Options;
import org.xnio.Xnio;

/**
 * A running wssguard: Undertow listeners (TLS by BoringSSL or the JDK), the handshake gate, the upgrade proxy and the
 * relays it creates, plus the demo backend when configured.
 */
public final class ProxyServer implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(ProxyServer.class.getName());
  /**
   * Undertow's own hard limit on the request head, far above any sane configured limit, so that heads between the
   * two get a 431 from {@link HandshakeGate}; beyond it Undertow drops the connection without an answer.
   */
  static final int UNDERTOW_HEADER_BACKSTOP = 64 * 1024;

  /** One listener as it was bound. */
  public record BoundListener(ListenerConfig config, InetSocketAddress address, ServerTls tls) {
    public String url() {
      return (tls == null ? "ws://" : "wss://") + address.getHostString() + ":" + address.getPort() + "/";
    }
  }

  private final Undertow undertow;
  private final List<BoundListener> listeners;
  private final RelayRegistry relays;
  private final DemoEchoBackend demo;

  private ProxyServer(Undertow undertow, List<BoundListener> listeners, RelayRegistry relays, DemoEchoBackend demo) {
    this.undertow = undertow;
    this.listeners = listeners;
    this.relays = relays;
    this.demo = demo;
  }

  public static ProxyServer start(ProxyConfig config) throws StartupException {
    DemoEchoBackend demo = null;
    try {
      if (config.demoBackend() != null) {
        demo = DemoEchoBackend.start(config.demoBackend().bind());
      }
      return start(config, demo);
    } catch (StartupException | RuntimeException e) {
      if (demo != null) {
        demo.close();
      }
      throw e;
    }
  }

  private static ProxyServer start(ProxyConfig config, DemoEchoBackend demo) throws StartupException {
    Xnio xnio = Xnio.getInstance(Undertow.class.getClassLoader());
    Map<String, BackendGroup> groups = new HashMap<>();
    Map<String, BackendDialer> dialers = new HashMap<>();
    for (BackendGroupConfig g : config.backends().values()) {
      groups.put(g.name(), new BackendGroup(g));
      UndertowXnioSsl ssl = null;
      if (g.servers().stream().anyMatch(u -> "wss".equalsIgnoreCase(u.getScheme()))) {
        try {
          if (g.tls().insecure()) {
            LOG.warning("backend group '" + g.name() + "' accepts any certificate (tls.insecure: true)");
          }
          ssl = new UndertowXnioSsl(xnio, OptionMap.EMPTY, BackendTls.clientContext(g.tls()));
        } catch (TlsSetupException e) {
          throw new StartupException("backend group '" + g.name() + "': " + e.getMessage(), e);
        }
      }
      dialers.put(g.name(), new BackendDialer(ssl));
    }
    List<Route> routes = new ArrayList<>();
    for (RouteConfig rc : config.routes()) {
      routes.add(new Route(rc, groups.get(rc.backend()), dialers.get(rc.backend())));
    }

    RelayRegistry relays = new RelayRegistry();
    Duration handshake = config.timeouts().handshake();
    // The handshake budget is split: half to receive the first byte, half to complete the head.
    int halfMillis = (int) Math.max(1, handshake.toMillis() / 2);
    Undertow.Builder builder = Undertow.builder()
        .setIoThreads(ioThreads())
        .setWorkerThreads(2)
        .setDirectBuffers(true)
        .setBufferSize(16 * 1024)
        .setServerOption(UndertowOptions.ENABLE_HTTP2, false)
        .setServerOption(UndertowOptions.MAX_HEADER_SIZE, UNDERTOW_HEADER_BACKSTOP)
        .setServerOption(UndertowOptions.NO_REQUEST_TIMEOUT, halfMillis)
        .setServerOption(UndertowOptions.REQUEST_PARSE_TIMEOUT, halfMillis)
        .setServerOption(UndertowOptions.ALWAYS_SET_KEEP_ALIVE, false)
        .setSocketOption(Options.TCP_NODELAY, true)
        .setSocketOption(Options.BACKLOG, 4096)
        .setHandler(new HandshakeGate(new UpgradeProxy(routes, config.timeouts(), relays),
            config.timeouts().maxHeaderBytes()));
    List<ServerTls> tls = new ArrayList<>();
    for (ListenerConfig l : config.listeners()) {
      if (l.tls() == null) {
        tls.add(null);
        builder.addHttpListener(l.bind().getPort(), l.bind().getHostString());
      } else {
        try {
          ServerTls t = ServerTls.create(l.tls());
          tls.add(t);
          builder.addHttpsListener(l.bind().getPort(), l.bind().getHostString(), t.sslContext());
        } catch (TlsSetupException e) {
          throw new StartupException("listener '" + l.name() + "': " + e.getMessage(), e);
        }
      }
    }
    Undertow undertow = builder.build();
    try {
      undertow.start();
    } catch (RuntimeException e) {
      Throwable cause = e.getCause() != null ? e.getCause() : e;
      throw new StartupException("cannot listen: " + cause.getMessage(), e);
    }
    List<BoundListener> bound = new ArrayList<>();
    List<Undertow.ListenerInfo> infos = undertow.getListenerInfo();
    for (int i = 0; i < config.listeners().size(); i++) {
      bound.add(new BoundListener(config.listeners().get(i), (InetSocketAddress) infos.get(i).getAddress(), tls.get(i)));
    }
    return new ProxyServer(undertow, List.copyOf(bound), relays, demo);
  }

  private static int ioThreads() {
    String configured = System.getProperty("wssguard.ioThreads");
    return configured != null ? Integer.parseInt(configured) : Math.max(1, Runtime.getRuntime().availableProcessors());
  }

  public List<BoundListener> listeners() {
    return listeners;
  }

  /** The listener with this name. */
  public BoundListener listener(String name) {
    return listeners.stream().filter(l -> l.config().name().equals(name)).findFirst()
        .orElseThrow(() -> new IllegalArgumentException("no listener " + name));
  }

  public DemoEchoBackend demoBackend() {
    return demo;
  }

  public int openRelays() {
    return relays.size();
  }

  /**
   * Graceful stop: no new connections, 1001 to every open conversation, up to {@code drain} for them to end, then
   * everything is closed. Returns whether all ended in time.
   */
  public boolean shutdown(Duration drain) throws InterruptedException {
    for (Undertow.ListenerInfo info : undertow.getListenerInfo()) {
      info.suspend();
    }
    boolean drained = relays.drain("server shutting down", drain.toMillis());
    close();
    return drained;
  }

  @Override
  public void close() {
    undertow.stop();
    if (demo != null) {
      demo.close();
    }
  }
}
