package io.wssguard.server;

import io.undertow.Undertow;
import io.undertow.UndertowOptions;
import io.undertow.connector.ByteBufferPool;
import io.undertow.protocols.ssl.UndertowXnioSsl;
import io.undertow.server.DefaultByteBufferPool;
import io.undertow.server.protocol.http.HttpOpenListener;
import io.wssguard.admin.AdminServer;
import io.wssguard.admin.AdminTokenException;
import io.wssguard.ban.Bans;
import io.wssguard.config.ListenerConfig;
import io.wssguard.config.ProxyConfig;
import io.wssguard.config.RouteConfig;
import io.wssguard.demo.DemoEchoBackend;
import io.wssguard.handshake.HandshakeGate;
import io.wssguard.limit.Enforcer;
import io.wssguard.limit.PolicyStore;
import io.wssguard.limit.SourceTable;
import io.wssguard.observe.Observability;
import io.wssguard.policy.PolicySet;
import io.wssguard.time.Ticker;
import io.wssguard.tls.ServerTls;
import io.wssguard.tls.TlsSlot;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.logging.Logger;
import org.xnio.ChannelListener;
import org.xnio.ChannelListeners;
import org.xnio.IoUtils;
import org.xnio.OptionMap;
import org.xnio.Options;
import org.xnio.StreamConnection;
import org.xnio.Xnio;
import org.xnio.XnioWorker;
import org.xnio.channels.AcceptingChannel;
import org.xnio.ssl.SslConnection;

/**
 * A running wssguard: listening sockets with Undertow's HTTP/1.1 parser on them (TLS by BoringSSL
 * or the JDK), the handshake gate, the upgrade proxy and the relays it creates, plus the demo
 * backend when configured.
 *
 * <p>The listeners are built here rather than with {@code Undertow.builder()} so that shutdown can
 * close the listening sockets alone and keep the open conversations for their drain.
 */
public final class ProxyServer implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(ProxyServer.class.getName());

  /**
   * Undertow's own hard limit on the request head, far above any sane configured limit, so that
   * heads between the two get a 431 from {@link HandshakeGate}; beyond it Undertow drops the
   * connection without an answer.
   */
  static final int UNDERTOW_HEADER_BACKSTOP = 64 * 1024;

  /** Pump and parser buffers: one TLS record's worth. */
  static final int BUFFER_SIZE = 16 * 1024;

  /** One listener as it was bound. */
  public record BoundListener(ListenerConfig config, InetSocketAddress address, ServerTls tls) {
    public String url() {
      return (tls == null ? "ws://" : "wss://")
          + address.getHostString()
          + ":"
          + address.getPort()
          + "/";
    }
  }

  private final XnioWorker worker;
  private final List<AcceptingChannel<? extends StreamConnection>> channels;
  private final HttpOpenListener openListener;
  private final AtomicReference<RuntimeSnapshot> current;
  private final Map<String, TlsSlot> slots;
  private final Map<String, InetSocketAddress> addresses;
  private final RelayRegistry relays;
  private final DemoEchoBackend demo;
  private final PolicyStore policies;
  private final Observability observe;
  private final AdminServer admin;

  private ProxyServer(
      XnioWorker worker,
      List<AcceptingChannel<? extends StreamConnection>> channels,
      HttpOpenListener openListener,
      AtomicReference<RuntimeSnapshot> current,
      Map<String, TlsSlot> slots,
      Map<String, InetSocketAddress> addresses,
      RelayRegistry relays,
      DemoEchoBackend demo,
      PolicyStore policies,
      Observability observe,
      AdminServer admin) {
    this.worker = worker;
    this.channels = channels;
    this.openListener = openListener;
    this.current = current;
    this.slots = slots;
    this.addresses = addresses;
    this.relays = relays;
    this.demo = demo;
    this.policies = policies;
    this.observe = observe;
    this.admin = admin;
  }

  /** Metrics and the security event log of this proxy. */
  public Observability observability() {
    return observe;
  }

  /** {@code http://host:port/} of the admin listener, or null when there is none. */
  public String adminUrl() {
    return admin == null ? null : admin.url();
  }

  /** The policies in force; {@link PolicyStore#replace} applies a reloaded set. */
  public PolicyStore policies() {
    return policies;
  }

  /**
   * Starts everything the configuration describes.
   *
   * @param policies the policies the routes name (validated by the caller)
   * @param bans where strikes become bans, and what handshakes are checked against
   */
  public static ProxyServer start(ProxyConfig config, PolicySet policies, Bans bans)
      throws StartupException {
    return start(config, policies, bans, Ticker.system());
  }

  /**
   * As {@link #start(ProxyConfig, PolicySet, Bans)}, with admission and enforcement on {@code
   * ticker} (tests move it forward instead of sleeping).
   */
  public static ProxyServer start(ProxyConfig config, PolicySet policies, Bans bans, Ticker ticker)
      throws StartupException {
    DemoEchoBackend demo = null;
    try {
      if (config.demoBackend() != null) {
        demo = DemoEchoBackend.start(config.demoBackend().bind());
      }
      return start(config, policies, bans, ticker, demo);
    } catch (StartupException | RuntimeException e) {
      if (demo != null) {
        demo.close();
      }
      throw e;
    }
  }

  private static ProxyServer start(
      ProxyConfig config, PolicySet policySet, Bans bans, Ticker ticker, DemoEchoBackend demo)
      throws StartupException {
    Xnio xnio = Xnio.getInstance(Undertow.class.getClassLoader());
    PolicyStore policies = policyStore(config, policySet);
    RuntimeSnapshot snapshot;
    try {
      snapshot = RuntimeSnapshot.build(config, policySet, policies, xnio, null);
    } catch (SnapshotException e) {
      throw new StartupException(e.getMessage(), e, true);
    }
    AtomicReference<RuntimeSnapshot> current = new AtomicReference<>(snapshot);
    // Never-ban follows the policies: set now, and again at every reload.
    bans.neverBan(NeverBanList.of(config, policySet));
    policies.onReplace(set -> bans.neverBan(NeverBanList.of(current.get().config(), set)));
    Observability observe = new Observability(config, bans, snapshot.groups());
    Enforcer enforcer = new Enforcer(bans, observe.events(), ticker);
    PolicyAdmission admission = new PolicyAdmission(SourceTable.withDefaults(ticker), enforcer);
    Map<String, TlsSlot> slots = new HashMap<>();
    for (ListenerConfig l : config.listeners()) {
      if (l.tls() != null) {
        slots.put(l.name(), new TlsSlot(snapshot.tls(l.name())));
      }
    }
    tlsMetrics(observe, snapshot);
    XnioWorker worker;
    try {
      worker = startWorker(xnio);
    } catch (StartupException e) {
      observe.close();
      throw e;
    }

    RelayRegistry relays = new RelayRegistry();
    HttpOpenListener openListener =
        httpListener(
            config,
            new HandshakeGate(
                new UpgradeProxy(current, relays, admission, enforcer, observe),
                config.timeouts().maxHeaderBytes()));
    List<AcceptingChannel<? extends StreamConnection>> channels = new ArrayList<>();
    try {
      List<BoundListener> bound =
          openListeners(
              config,
              slots,
              worker,
              openListener,
              new AcceptGate(bans, ConnectionCap.of(config.limits()), observe.metrics()),
              observe,
              channels);
      AdminServer admin =
          startAdmin(
              config,
              observe,
              bound,
              policies,
              new ServerReadiness(channels, snapshot.groups().values(), policies));
      channels.forEach(AcceptingChannel::resumeAccepts);
      Map<String, InetSocketAddress> addresses = new HashMap<>();
      bound.forEach(b -> addresses.put(b.config().name(), b.address()));
      return new ProxyServer(
          worker,
          channels,
          openListener,
          current,
          slots,
          Map.copyOf(addresses),
          relays,
          demo,
          policies,
          observe,
          admin);
    } catch (StartupException e) {
      channels.forEach(IoUtils::safeClose);
      worker.shutdownNow();
      observe.close();
      throw e;
    }
  }

  private static PolicyStore policyStore(ProxyConfig config, PolicySet policySet)
      throws StartupException {
    try {
      return new PolicyStore(config.routes().stream().map(RouteConfig::policy).toList(), policySet);
    } catch (IllegalArgumentException e) {
      throw new StartupException(
          "routes name a policy that is not loaded: " + e.getMessage(), e, true);
    }
  }

  /**
   * Per TLS listener of {@code snapshot}: when each certificate expires, and how many key files
   * others can read (set at start and again at every reload).
   */
  private static void tlsMetrics(Observability observe, RuntimeSnapshot snapshot) {
    for (ListenerConfig l : snapshot.config().listeners()) {
      ServerTls tls = l.tls() == null ? null : snapshot.tls(l.name());
      if (tls == null) {
        continue;
      }
      Map<String, Instant> notAfter = new LinkedHashMap<>();
      tls.served().forEach(c -> notAfter.put(c.name(), c.notAfter()));
      observe.certificates(l.name(), notAfter);
      observe.metrics().tlsKeyFilesInsecure(l.name(), tls.exposedKeys().size());
    }
  }

  private static XnioWorker startWorker(Xnio xnio) throws StartupException {
    try {
      return xnio.createWorker(
          OptionMap.builder()
              .set(Options.WORKER_IO_THREADS, ioThreads())
              .set(Options.WORKER_TASK_CORE_THREADS, 1)
              .set(Options.WORKER_TASK_MAX_THREADS, 2)
              .set(Options.WORKER_NAME, "wssguard")
              .getMap());
    } catch (IOException e) {
      throw new StartupException("cannot start IO threads: " + e.getMessage(), e);
    }
  }

  /** Undertow's HTTP/1.1 parser for every listener, answering with {@code root}. */
  private static HttpOpenListener httpListener(ProxyConfig config, HandshakeGate root) {
    // The handshake budget is split: half to receive the first byte, half to complete the head.
    int halfMillis = (int) Math.max(1, config.timeouts().handshake().toMillis() / 2);
    OptionMap httpOptions =
        OptionMap.builder()
            .set(UndertowOptions.ENABLE_HTTP2, false)
            .set(UndertowOptions.MAX_HEADER_SIZE, UNDERTOW_HEADER_BACKSTOP)
            .set(UndertowOptions.NO_REQUEST_TIMEOUT, halfMillis)
            .set(UndertowOptions.REQUEST_PARSE_TIMEOUT, halfMillis)
            .set(UndertowOptions.ALWAYS_SET_KEEP_ALIVE, false)
            .getMap();
    ByteBufferPool buffers = new DefaultByteBufferPool(true, BUFFER_SIZE, -1, 4);
    HttpOpenListener openListener = new HttpOpenListener(buffers, httpOptions);
    openListener.setRootHandler(root);
    return openListener;
  }

  /**
   * Binds every listener, accepts suspended. Each channel is added to {@code opened} as soon as it
   * is bound, so the caller can close them all when a later one fails.
   */
  private static List<BoundListener> openListeners(
      ProxyConfig config,
      Map<String, TlsSlot> slots,
      XnioWorker worker,
      HttpOpenListener openListener,
      AcceptGate gate,
      Observability observe,
      List<AcceptingChannel<? extends StreamConnection>> opened)
      throws StartupException {
    OptionMap socketOptions =
        OptionMap.builder()
            .set(Options.TCP_NODELAY, true)
            .set(Options.REUSE_ADDRESSES, true)
            .set(Options.BACKLOG, 4096)
            .getMap();
    List<BoundListener> bound = new ArrayList<>();
    for (int i = 0; i < config.listeners().size(); i++) {
      ListenerConfig l = config.listeners().get(i);
      TlsSlot t = slots.get(l.name());
      AcceptingChannel<? extends StreamConnection> channel;
      try {
        channel =
            openListener(
                l,
                t,
                worker,
                openListener,
                gate,
                observe,
                config.timeouts().handshake(),
                socketOptions);
      } catch (IOException e) {
        throw new StartupException(
            "listener '"
                + l.name()
                + "' cannot listen on "
                + l.bind().getHostString()
                + ":"
                + l.bind().getPort()
                + ": "
                + e.getMessage(),
            e);
      }
      opened.add(channel);
      bound.add(
          new BoundListener(
              l, (InetSocketAddress) channel.getLocalAddress(), t == null ? null : t.current()));
    }
    return bound;
  }

  /** One listener; every connection passes the accept gate (bans, connection cap) first. */
  private static AcceptingChannel<? extends StreamConnection> openListener(
      ListenerConfig l,
      TlsSlot t,
      XnioWorker worker,
      HttpOpenListener openListener,
      AcceptGate gate,
      Observability observe,
      Duration proxyHeaderTimeout,
      OptionMap socketOptions)
      throws IOException {
    Xnio xnio = worker.getXnio();
    if (!l.proxyProtocolFrom().isEmpty()) {
      // TCP first: the PROXY header comes before any TLS, from load balancers only.
      UndertowXnioSsl ssl =
          t == null
              ? null
              : new UndertowXnioSsl(
                  xnio, OptionMap.create(Options.USE_DIRECT_BUFFERS, true), t.sslContext());
      ChannelListener<StreamConnection> proxied =
          new ProxyProtocolGate(
              l.proxyProtocolFrom(),
              gate,
              openListener,
              ssl,
              openListener.getBufferPool(),
              proxyHeaderTimeout,
              l.name());
      return worker.createStreamConnectionServer(
          l.bind(), ChannelListeners.openListenerAdapter(proxied), socketOptions);
    }
    if (t == null) {
      return worker.createStreamConnectionServer(
          l.bind(), ChannelListeners.openListenerAdapter(gate.wrap(openListener)), socketOptions);
    }
    // Its own pool: TLS records need buffers somewhat over 16 KiB.
    UndertowXnioSsl ssl =
        new UndertowXnioSsl(
            xnio, OptionMap.create(Options.USE_DIRECT_BUFFERS, true), t.sslContext());
    @SuppressWarnings({"unchecked", "rawtypes"})
    ChannelListener<? super AcceptingChannel<SslConnection>> sslAccept =
        (ChannelListener)
            ChannelListeners.openListenerAdapter(
                gate.wrap(observe.timeTls(l.name(), openListener)));
    return ssl.createSslConnectionServer(worker, l.bind(), sslAccept, socketOptions);
  }

  /**
   * The admin listener when enabled. One that cannot bind fails the start only when its address was
   * configured explicitly; the default one is given up with a warning.
   */
  private static AdminServer startAdmin(
      ProxyConfig config,
      Observability observe,
      List<BoundListener> bound,
      PolicyStore policies,
      ServerReadiness readiness)
      throws StartupException {
    if (!config.admin().enabled()) {
      return null;
    }
    try {
      return AdminServer.start(
          config.admin(),
          observe,
          bound.stream().map(BoundListener::url).toList(),
          policies::current,
          readiness);
    } catch (IOException e) {
      if (config.admin().explicit()) {
        // A bad token file is the configuration's fault (exit 2); a taken port is not (exit 1).
        throw new StartupException(e.getMessage(), e, e instanceof AdminTokenException);
      }
      LOG.warning(
          e.getMessage()
              + "; running without the admin listener (set admin.bind to choose its address)");
      return null;
    }
  }

  private static int ioThreads() {
    String configured = System.getProperty("wssguard.ioThreads");
    return configured != null
        ? Integer.parseInt(configured)
        : Math.max(1, Runtime.getRuntime().availableProcessors());
  }

  /** The listeners as bound, each with the TLS it serves new handshakes with now. */
  public List<BoundListener> listeners() {
    RuntimeSnapshot now = current.get();
    return now.config().listeners().stream()
        .map(l -> new BoundListener(l, addresses.get(l.name()), now.tls(l.name())))
        .toList();
  }

  /** The configuration in force for new handshakes. */
  public ProxyConfig config() {
    return current.get().config();
  }

  /**
   * Applies a new configuration to new handshakes, whole or not at all: everything is built and
   * checked first (certificates, backend TLS, policies, routes), then the policies, each listener's
   * TLS and the routing snapshot are swapped in. Open conversations keep their backend connection;
   * they read the new policies at their next frame. Call off the IO threads; one at a time.
   *
   * @throws SnapshotException every problem found; nothing was changed
   */
  public synchronized void reload(ProxyConfig config, PolicySet policySet)
      throws SnapshotException {
    RuntimeSnapshot previous = current.get();
    List<String> listenerErrors = listenerChanges(previous.config(), config);
    if (!listenerErrors.isEmpty()) {
      throw new SnapshotException(listenerErrors);
    }
    RuntimeSnapshot next =
        RuntimeSnapshot.build(config, policySet, policies, worker.getXnio(), previous);
    // Policies first: the new routes read theirs by name, and must never find none.
    policies.replace(config.routes().stream().map(RouteConfig::policy).toList(), policySet);
    slots.forEach((name, slot) -> slot.replace(next.tls(name)));
    current.set(next);
    tlsMetrics(observe, next);
  }

  /**
   * The listening sockets stay as they are: a reload may change a listener's certificates and TLS
   * settings, not which listeners exist, where they bind, or whether they speak TLS or PROXY.
   */
  private static List<String> listenerChanges(ProxyConfig running, ProxyConfig next) {
    String file = next.source() == null ? "<embedded defaults>" : next.source().toString();
    List<String> errors = new ArrayList<>();
    Map<String, ListenerConfig> before = new HashMap<>();
    running.listeners().forEach(l -> before.put(l.name(), l));
    for (ListenerConfig l : next.listeners()) {
      ListenerConfig was = before.remove(l.name());
      if (was == null) {
        errors.add(
            file + ": listener '" + l.name() + "' is new: adding a listener needs a restart");
      } else if (!was.bind().equals(l.bind())
          || (was.tls() == null) != (l.tls() == null)
          || !was.proxyProtocolFrom().equals(l.proxyProtocolFrom())) {
        errors.add(
            file
                + ": listener '"
                + l.name()
                + "': changing bind, tls on/off or proxyProtocol needs a restart");
      }
    }
    before
        .keySet()
        .forEach(
            name ->
                errors.add(
                    file
                        + ": listener '"
                        + name
                        + "' is gone: removing a listener needs a restart"));
    return errors;
  }

  /** The listener with this name. */
  public BoundListener listener(String name) {
    return listeners().stream()
        .filter(l -> l.config().name().equals(name))
        .findFirst()
        .orElseThrow(() -> new IllegalArgumentException("no listener " + name));
  }

  public DemoEchoBackend demoBackend() {
    return demo;
  }

  public int openRelays() {
    return relays.size();
  }

  /**
   * Graceful stop: no new connections, 1001 to every open conversation, up to {@code drain} for
   * them to end, then everything is closed. Returns whether all ended in time.
   */
  public boolean shutdown(Duration drain) throws InterruptedException {
    // Closing the listening sockets leaves accepted connections alone (Undertow's own suspend()
    // would close them).
    channels.forEach(IoUtils::safeClose);
    boolean drained = relays.drain("server shutting down", drain.toMillis());
    close();
    return drained;
  }

  @Override
  public void close() {
    channels.forEach(IoUtils::safeClose);
    openListener.closeConnections();
    worker.shutdownNow();
    try {
      worker.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (demo != null) {
      demo.close();
    }
    if (admin != null) {
      admin.close();
    }
    observe.close();
  }
}
