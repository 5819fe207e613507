package io.wssguard.server;

import io.undertow.Undertow;
import io.wssguard.admin.AdminServer;
import io.wssguard.admin.AdminToken;
import io.wssguard.admin.AdminTokenException;
import io.wssguard.anomaly.AnomalyWatch;
import io.wssguard.ban.BanCap;
import io.wssguard.ban.Bans;
import io.wssguard.config.BansConfig;
import io.wssguard.config.ListenerConfig;
import io.wssguard.config.ProxyConfig;
import io.wssguard.config.RouteConfig;
import io.wssguard.console.SourceLookup;
import io.wssguard.demo.DemoEchoBackend;
import io.wssguard.handshake.HandshakeGate;
import io.wssguard.limit.Enforcer;
import io.wssguard.limit.FleetLedger;
import io.wssguard.limit.PolicyStore;
import io.wssguard.limit.PolicyView;
import io.wssguard.limit.SourceState;
import io.wssguard.limit.SourceTable;
import io.wssguard.observe.Metrics;
import io.wssguard.observe.Observability;
import io.wssguard.policy.PolicySet;
import io.wssguard.time.Ticker;
import io.wssguard.tls.ServerTls;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import java.util.logging.Logger;
import org.xnio.OptionMap;
import org.xnio.Options;
import org.xnio.Xnio;
import org.xnio.XnioWorker;

/**
 * A running wssguard: listening sockets with Undertow's HTTP/1.1 parser on them (TLS by BoringSSL
 * or the JDK), the handshake gate, the upgrade proxy and the relays it creates, plus the demo
 * backend when configured.
 *
 * <p>The listeners are built here ({@link ListenerBinder}) rather than with {@code
 * Undertow.builder()} so that shutdown, or a reload that removes one, can close listening sockets
 * alone and keep the open conversations for their drain.
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
      return ProxyServer.url(address, tls != null);
    }
  }

  private static String url(InetSocketAddress address, boolean tls) {
    return (tls ? "wss://" : "ws://") + hostPort(address) + "/";
  }

  private static String hostPort(InetSocketAddress address) {
    return address.getHostString() + ":" + address.getPort();
  }

  private final XnioWorker worker;
  private final ListenerBinder binder;

  /** The listeners in force, in configuration order; replaced whole by a reload. */
  private final AtomicReference<Map<String, ListenerSocket>> sockets;

  /** Listeners a reload removed whose conversations are still draining. */
  private final Set<ListenerSocket> retiring = ConcurrentHashMap.newKeySet();

  private final AtomicReference<RuntimeSnapshot> current;
  private final Bans bans;
  private final DemoEchoBackend demo;
  private final PolicyStore policies;
  private final Observability observe;
  private final AdminServer admin;

  private ProxyServer(
      XnioWorker worker,
      ListenerBinder binder,
      AtomicReference<Map<String, ListenerSocket>> sockets,
      AtomicReference<RuntimeSnapshot> current,
      Bans bans,
      DemoEchoBackend demo,
      PolicyStore policies,
      Observability observe,
      AdminServer admin) {
    this.worker = worker;
    this.binder = binder;
    this.sockets = sockets;
    this.current = current;
    this.bans = bans;
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
    return start(config, policies, bans, ticker, (FleetLedger) null);
  }

  /**
   * As {@link #start(ProxyConfig, PolicySet, Bans)} in a fleet: strikes and {@code scope: fleet}
   * budgets are shared through {@code fleet} (null: none).
   */
  public static ProxyServer start(
      ProxyConfig config, PolicySet policies, Bans bans, FleetLedger fleet)
      throws StartupException {
    return start(config, policies, bans, Ticker.system(), fleet);
  }

  private static ProxyServer start(
      ProxyConfig config, PolicySet policies, Bans bans, Ticker ticker, FleetLedger fleet)
      throws StartupException {
    DemoEchoBackend demo = null;
    try {
      if (config.demoBackend() != null) {
        demo = DemoEchoBackend.start(config.demoBackend().bind());
      }
      return start(config, policies, bans, ticker, demo, fleet);
    } catch (StartupException | RuntimeException e) {
      if (demo != null) {
        demo.close();
      }
      throw e;
    }
  }

  private static ProxyServer start(
      ProxyConfig config,
      PolicySet policySet,
      Bans bans,
      Ticker ticker,
      DemoEchoBackend demo,
      FleetLedger fleet)
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
    bans.cap(new BanCap(BansConfig.maxOf(config.bans())));
    policies.onReplace(set -> bans.neverBan(NeverBanList.of(current.get().config(), set)));
    Observability observe;
    try {
      observe = new Observability(config, bans, snapshot.groups());
    } catch (UncheckedIOException e) { // record.dir cannot be made
      throw new StartupException(e.getMessage(), e, true);
    }
    Enforcer enforcer = new Enforcer(bans, observe.events(), ticker);
    SourceTable sources = SourceTable.withDefaults(ticker);
    if (fleet != null) {
      enforcer.shareStrikes(fleet);
      sources.fleet(fleet);
    }
    PolicyAdmission admission = new PolicyAdmission(sources, enforcer);
    // What the console shows of a source: read from the table admission keeps, never created.
    SourceLookup sourceLookup =
        address -> {
          SourceState s = sources.peek(address, SourceLookup.IPV6_PREFIX);
          return s == null
              ? null
              : new SourceLookup.Facts(s.connections(), s.strikes(ticker.nanos()));
        };
    tlsMetrics(observe, snapshot);
    AnomalyWatch anomalies = anomalyWatch(config, enforcer, ticker, current);
    observe.anomalies(anomalies);
    XnioWorker worker;
    try {
      worker = startWorker(xnio);
    } catch (StartupException e) {
      anomalies.close();
      observe.close();
      throw e;
    }

    AcceptGate gate = new AcceptGate(bans, ConnectionCap.of(config.limits()), observe.metrics());
    // Every ban, by whatever path, closes the banned block's connections still in their handshake.
    observe.watchBans(gate.handshakes()::banned);
    ListenerBinder binder = new ListenerBinder(worker, gate, observe, current, admission, enforcer);
    Map<String, ListenerSocket> bound = new LinkedHashMap<>();
    AtomicReference<Map<String, ListenerSocket>> sockets = new AtomicReference<>(bound);
    try {
      for (ListenerConfig l : config.listeners()) {
        try {
          bound.put(l.name(), binder.bind(l, snapshot.tls(l.name()), config.timeouts()));
        } catch (IOException e) {
          throw new StartupException(ListenerBinder.cannotListen(l, e), e);
        }
      }
      AdminServer admin =
          startAdmin(
              config,
              observe,
              () -> urls(sockets.get().values()),
              policies,
              new ServerReadiness(
                  () -> sockets.get().values(), () -> current.get().groups().values(), policies),
              () -> current.get().config().routes(),
              sourceLookup);
      anomalies.start();
      bound.values().forEach(ListenerSocket::resumeAccepts);
      sockets.set(Collections.unmodifiableMap(bound));
      return new ProxyServer(
          worker, binder, sockets, current, bans, demo, policies, observe, admin);
    } catch (StartupException e) {
      bound.values().forEach(ListenerSocket::stopAccepting);
      worker.shutdownNow();
      anomalies.close();
      observe.close();
      throw e;
    }
  }

  /**
   * The live baselines and anomaly rules, saved beside the ban journal (in memory only without
   * one).
   */
  private static AnomalyWatch anomalyWatch(
      ProxyConfig config,
      Enforcer enforcer,
      Ticker ticker,
      AtomicReference<RuntimeSnapshot> current) {
    Path journal = config.bans() == null ? null : config.bans().journal();
    return new AnomalyWatch(
        ticker,
        enforcer,
        journal == null ? null : journal.toAbsolutePath().getParent(),
        AnomalyWatch.DEFAULT_EPOCH_MS,
        () -> {
          Map<String, PolicyView> views = new LinkedHashMap<>();
          for (Route r : current.get().routes()) {
            views.putIfAbsent(Metrics.routeLabel(r.config()), r.policy());
          }
          return views;
        });
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
   * others can read; a plain listener has neither (set at start and again at every reload).
   */
  private static void tlsMetrics(Observability observe, RuntimeSnapshot snapshot) {
    for (ListenerConfig l : snapshot.config().listeners()) {
      ServerTls tls = l.tls() == null ? null : snapshot.tls(l.name());
      if (tls == null) {
        observe.tlsGone(l.name());
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

  /**
   * The admin listener when enabled. One that cannot bind fails the start only when its address was
   * configured explicitly; the default one is given up with a warning.
   */
  private static AdminServer startAdmin(
      ProxyConfig config,
      Observability observe,
      Supplier<List<String>> listenerUrls,
      PolicyStore policies,
      ServerReadiness readiness,
      Supplier<List<RouteConfig>> routes,
      SourceLookup sources)
      throws StartupException {
    if (!config.admin().enabled()) {
      return null;
    }
    try {
      return AdminServer.start(
          config.admin(), observe, listenerUrls, policies::current, readiness, routes, sources);
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
    return sockets.get().values().stream()
        .map(
            s ->
                new BoundListener(
                    s.config(), s.address(), s.slot() == null ? null : s.slot().current()))
        .toList();
  }

  private static List<String> urls(Collection<ListenerSocket> sockets) {
    return sockets.stream().map(s -> url(s.address(), s.slot() != null)).toList();
  }

  /** The configuration in force for new handshakes. */
  public ProxyConfig config() {
    return current.get().config();
  }

  /**
   * Applies a new configuration to new handshakes, whole or not at all. Everything is built and
   * checked first (certificates, backend TLS, policies, routes, the admin token), then the sockets
   * of new and moved listeners are bound, accepts suspended; only when all of that worked are the
   * policies, each kept listener's TLS, the routing snapshot, the admin token and the set of
   * listeners swapped in. New sockets then accept; removed ones (and the old address of a moved
   * one) stop accepting at once, and their conversations are closed with 1001 and given {@code
   * timeouts.drain} to end. Other open conversations keep their backend connection and read the new
   * policies at their next frame. A changed {@code bans.max} goes to the ban list. Call off the IO
   * threads; one at a time.
   */
  public synchronized void reload(ProxyConfig config, PolicySet policySet)
      throws SnapshotException {
    RuntimeSnapshot previous = current.get();
    String file = config.source() == null ? "<embedded defaults>" : config.source().toString();
    List<String> errors = new ArrayList<>();
    for (String change : RestartOnlySettings.changes(previous.config(), config)) {
      errors.add(file + ": " + change);
    }
    RuntimeSnapshot next = null;
    try {
      next = RuntimeSnapshot.build(config, policySet, policies, worker.getXnio(), previous);
    } catch (SnapshotException e) {
      errors.addAll(e.errors());
    }
    AdminToken token = null;
    if (admin != null && config.admin().enabled()) {
      try {
        token = AdminToken.load(config.admin().tokenFile(), config.admin().generateToken());
      } catch (IOException e) {
        errors.add(file + ": admin.tokenFile: " + e.getMessage());
      }
    }
    if (!errors.isEmpty()) {
      throw new SnapshotException(errors);
    }
    Map<String, ListenerSocket> running = sockets.get();
    Map<String, ListenerSocket> opened = bindNew(running, config, next, file);

    // Nothing can fail from here on.
    policies.replace(config.routes().stream().map(RouteConfig::policy).toList(), policySet);
    Map<String, ListenerSocket> now = new LinkedHashMap<>();
    for (ListenerConfig l : config.listeners()) {
      ListenerSocket s = opened.get(l.name());
      if (s == null) {
        s = running.get(l.name());
        if (s.slot() != null) {
          s.slot().replace(next.tls(l.name()));
        }
      }
      now.put(l.name(), s);
    }
    current.set(next);
    bans.neverBan(NeverBanList.of(config, policySet));
    if (token != null) {
      admin.reconfigure(config.admin(), token);
    }
    sockets.set(Collections.unmodifiableMap(now));
    for (ListenerSocket s : opened.values()) {
      s.resumeAccepts();
      LOG.info(
          () -> "listener '" + s.name() + "' listening on " + hostPort(s.address()) + " (reload)");
    }
    for (ListenerSocket old : running.values()) {
      if (now.get(old.name()) != old) {
        retire(old, opened.containsKey(old.name()), config.timeouts().drain());
      }
    }
    tlsMetrics(observe, next);
    int maxBans = BansConfig.maxOf(config.bans());
    if (maxBans != BansConfig.maxOf(previous.config().bans())) {
      observe.bans().cap(new BanCap(maxBans));
      LOG.info(
          () ->
              "bans.max now "
                  + maxBans
                  + " (was "
                  + BansConfig.maxOf(previous.config().bans())
                  + ")");
    }
  }

  /**
   * Binds, accepts suspended, every listener of {@code config} that has no socket in {@code
   * running} it can keep; when one cannot be bound, closes those it bound and throws, naming each
   * that failed.
   */
  private Map<String, ListenerSocket> bindNew(
      Map<String, ListenerSocket> running, ProxyConfig config, RuntimeSnapshot next, String file)
      throws SnapshotException {
    Map<String, ListenerSocket> opened = new LinkedHashMap<>();
    List<String> errors = new ArrayList<>();
    for (ListenerConfig l : config.listeners()) {
      ListenerSocket was = running.get(l.name());
      if (was != null && was.keptFor(l)) {
        continue;
      }
      try {
        opened.put(l.name(), binder.bind(l, next.tls(l.name()), config.timeouts()));
      } catch (IOException e) {
        errors.add(file + ": " + ListenerBinder.cannotListen(l, e) + heldBy(l, running.values()));
      }
    }
    if (!errors.isEmpty()) {
      opened.values().forEach(ListenerSocket::stopAccepting);
      throw new SnapshotException(errors);
    }
    return opened;
  }

  /** Says so when the address a listener could not bind is one this proxy listens on itself. */
  private static String heldBy(ListenerConfig l, Collection<ListenerSocket> running) {
    for (ListenerSocket s : running) {
      InetSocketAddress a = s.address();
      if (a.getPort() == l.bind().getPort()
          && (a.getAddress().equals(l.bind().getAddress())
              || a.getAddress().isAnyLocalAddress()
              || l.bind().getAddress().isAnyLocalAddress())) {
        return " (listener '"
            + s.name()
            + "' listens there until this reload is applied: a reload binds new sockets before it"
            + " closes old ones, so move it in two reloads, or restart)";
      }
    }
    return "";
  }

  /**
   * A listener the reload removed or moved: no new connections from now on, its conversations told
   * to go (1001) and given {@code drain}, then whatever is left of its connections closed.
   */
  private void retire(ListenerSocket old, boolean moved, Duration drain) {
    old.stopAccepting();
    retiring.add(old);
    if (!moved) {
      observe.tlsGone(old.name());
    }
    LOG.info(
        () ->
            "listener '"
                + old.name()
                + "' on "
                + hostPort(old.address())
                + (moved ? " moved" : " removed")
                + " by reload: no longer accepting there; "
                + old.relays().size()
                + " conversation(s) closed with 1001, up to "
                + drain.toMillis()
                + " ms to end");
    Thread drainer =
        new Thread(
            () -> {
              try {
                old.relays().drain("listener " + (moved ? "moved" : "removed"), drain.toMillis());
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              } finally {
                old.closeConnections();
                retiring.remove(old);
              }
            },
            "wssguard-drain-" + old.name());
    drainer.setDaemon(true);
    drainer.start();
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
    return everySocket().stream().mapToInt(s -> s.relays().size()).sum();
  }

  /** Client connections accepted and not yet upgraded (nor closed), on every listener. */
  public int openHandshakes() {
    return binder.handshakes().size();
  }

  /** The listeners in force and those still draining after a reload removed them. */
  private List<ListenerSocket> everySocket() {
    List<ListenerSocket> all = new ArrayList<>(sockets.get().values());
    all.addAll(retiring);
    return all;
  }

  /**
   * Graceful stop: no new connections, 1001 to every open conversation, up to {@code drain} for
   * them to end, then everything is closed. Returns whether all ended in time.
   */
  public boolean shutdown(Duration drain) throws InterruptedException {
    // Closing the listening sockets leaves accepted connections alone (Undertow's own suspend()
    // would close them).
    List<ListenerSocket> all = everySocket();
    all.forEach(ListenerSocket::stopAccepting);
    all.forEach(s -> s.relays().goAway("server shutting down"));
    long deadline = System.nanoTime() + drain.toNanos();
    boolean drained = true;
    for (ListenerSocket s : all) {
      drained &= s.relays().awaitEmpty(deadline);
    }
    close();
    return drained;
  }

  @Override
  public void close() {
    List<ListenerSocket> all = everySocket();
    all.forEach(ListenerSocket::stopAccepting);
    all.forEach(ListenerSocket::closeConnections);
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
    AnomalyWatch anomalies = observe.anomalies();
    if (anomalies != null) {
      anomalies.close(); // after the relays: their last windows are not learnt, the epoch is saved
    }
    observe.close();
  }
}
