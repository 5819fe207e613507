package io.wssguard.server;

import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.server.HttpUpgradeListener;
import io.undertow.server.ServerConnection;
import io.undertow.util.AttachmentKey;
import io.undertow.util.Headers;
import io.undertow.util.HttpString;
import io.undertow.util.SameThreadExecutor;
import io.wssguard.anomaly.AnomalyWatch;
import io.wssguard.backend.BackendDialer;
import io.wssguard.backend.BackendResponse;
import io.wssguard.backend.BackendServer;
import io.wssguard.config.RouteConfig;
import io.wssguard.config.TimeoutsConfig;
import io.wssguard.frame.CloseCodes;
import io.wssguard.handshake.HandshakeGate;
import io.wssguard.handshake.Rejection;
import io.wssguard.handshake.RequestPath;
import io.wssguard.limit.CompiledPolicy;
import io.wssguard.limit.ConnectionGate;
import io.wssguard.limit.Enforcer;
import io.wssguard.limit.HandshakeAdmission;
import io.wssguard.limit.SourceFleet;
import io.wssguard.observe.Observability;
import io.wssguard.observe.RouteMeter;
import io.wssguard.relay.Relay;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import java.util.logging.Logger;
import org.xnio.IoUtils;
import org.xnio.StreamConnection;

/**
 * Carries a validated handshake to a backend and, once the backend's 101 has been checked, answers
 * the client with that 101 and hands both connections to a {@link Relay}.
 */
final class UpgradeProxy implements HttpHandler {
  private static final Logger LOG = Logger.getLogger(UpgradeProxy.class.getName());

  /**
   * Headers of the backend's 101 that describe its connection, not the conversation: never copied.
   */
  private static final Set<String> HOP_BY_HOP =
      Set.of(
          "connection",
          "keep-alive",
          "transfer-encoding",
          "upgrade",
          "content-length",
          "date",
          "server",
          "te",
          "trailer",
          "proxy-connection");

  /** The matched route's label, for the security events of the policy admission. */
  static final AttachmentKey<String> ROUTE_LABEL = AttachmentKey.create(String.class);

  /** The configuration in force; read once per handshake, which keeps what it chose. */
  private final AtomicReference<RuntimeSnapshot> current;

  private final RelayRegistry relays;
  private final HandshakeRegistry handshakes;
  private final PolicyAdmission admission;
  private final Enforcer enforcer;
  private final Observability observe;

  UpgradeProxy(
      AtomicReference<RuntimeSnapshot> current,
      RelayRegistry relays,
      HandshakeRegistry handshakes,
      PolicyAdmission admission,
      Enforcer enforcer,
      Observability observe) {
    this.current = current;
    this.relays = relays;
    this.handshakes = handshakes;
    this.admission = admission;
    this.enforcer = enforcer;
    this.observe = observe;
  }

  /**
   * Routes the request by its one path, lets its route's policy count it (every request, refused by
   * the gate or not), answers what the gate or the route refuses, and dials the backend for the
   * rest.
   */
  @Override
  public void handleRequest(HttpServerExchange exchange) {
    RequestPath target = exchange.getAttachment(HandshakeGate.PATH);
    Rejection rejection = exchange.getAttachment(HandshakeGate.REJECTION);
    RuntimeSnapshot snapshot = current.get();
    List<Route> routes = snapshot.routes();
    TimeoutsConfig timeouts = snapshot.config().timeouts();
    Route route =
        target.acceptable() ? Route.match(routes, exchange.getHostName(), target.path()) : null;
    RouteMeter meter = route == null ? null : observe.metrics().route(route.config());
    if (meter != null) {
      exchange.putAttachment(ROUTE_LABEL, meter.label());
    }
    // A request that reaches no route is counted under the first route's policy.
    CompiledPolicy policy = (route == null ? routes.get(0) : route).policy().current();
    long admissionStart = System.nanoTime();
    HandshakeAdmission.Screened screened = admission.screen(exchange, policy);
    if (screened == null) {
      return;
    }
    if (rejection == null
        && !target.regular()
        && (route == null || !route.config().normalizePath())) {
      rejection = new Rejection(400, "path", target.irregularity());
    }
    if (rejection != null) {
      admission.refusedByGate(screened, policy, rejection.reason());
      observe
          .events()
          .handshakeRejected(
              screened.client(),
              meter == null ? null : meter.label(),
              rejection.reason(),
              rejection.status(),
              rejection.detail());
      rejection.send(exchange);
      return;
    }
    if (route == null) {
      String detail = "no route for " + target.path();
      observe.events().handshakeRejected(screened.client(), null, "no_route", 404, detail);
      Rejection.send(exchange, 404, detail);
      return;
    }
    HandshakeRecording recording =
        HandshakeRecording.start(observe.recorder(), exchange, meter.label(), target.path());
    RouteConfig rc = route.config();
    List<String> offered = UpgradeRequest.offeredProtocols(exchange);
    HandshakeAdmission.Admitted admitted =
        policy == null
            ? HandshakeAdmission.unchecked(screened, offered)
            : admission.admit(exchange, policy, screened, target.path(), offered);
    if (policy != null) {
      observe.metrics().admissionNanos(System.nanoTime() - admissionStart);
    }
    if (admitted == null) {
      return;
    }
    if (!route.group().tryConnect()) {
      observe
          .events()
          .handshakeRejected(
              admitted.client(),
              meter.label(),
              "backend_connect_rate",
              503,
              "backend group '" + rc.backend() + "' is at its connect rate");
      admission.release(admitted);
      exchange.getResponseHeaders().put(Headers.RETRY_AFTER, "1");
      Rejection.send(exchange, 503, "backend group '" + rc.backend() + "' is at its connect rate");
      return;
    }
    boolean forwardDeflate =
        rc.permessageDeflate()
            && !UpgradeRequest.deflateOffers(
                    exchange.getRequestHeaders().get(new HttpString("Sec-WebSocket-Extensions")))
                .isEmpty();
    BackendDialer.Upgrade upgrade =
        new BackendDialer.Upgrade(
            ByteBuffer.wrap(
                UpgradeRequest.build(
                    exchange,
                    target.path(),
                    admitted.client(),
                    rc.permessageDeflate(),
                    admitted.protocols(),
                    policy == null ? List.of() : policy.handshake.requiredHeaders())),
            exchange.getRequestHeaders().getFirst("Sec-WebSocket-Key").trim(),
            admitted.protocols(),
            forwardDeflate);
    exchange.dispatch(
        SameThreadExecutor.INSTANCE,
        () ->
            route
                .dialer()
                .dial(
                    exchange.getIoThread(),
                    route.group(),
                    upgrade,
                    timeouts.handshake().toNanos(),
                    new Outcome(
                        exchange, route, timeouts, admitted, meter, recording, System.nanoTime())));
  }

  /** The source's share of a fleet connection budget the route's policy has, or null. */
  private static SourceFleet fleetConnection(HandshakeAdmission.Admitted admitted) {
    if (admitted.source() == null || admitted.source().fleet() == null) {
      return null;
    }
    return admitted.source().fleet().connectionsMax() > 0 ? admitted.source().fleet() : null;
  }

  /**
   * A conversation that will not start after its backend answered: closes the backend connection
   * and gives back the server's count and the source's admission.
   */
  private void abandon(
      BackendServer server, StreamConnection backend, HandshakeAdmission.Admitted admitted) {
    IoUtils.safeClose(backend);
    server.connectionClosed();
    admission.release(admitted);
  }

  /** Answers the client according to what the backend did. */
  private final class Outcome implements BackendDialer.Outcome {
    private final HttpServerExchange exchange;
    private final Route route;
    private final TimeoutsConfig timeouts;
    private final HandshakeAdmission.Admitted admitted;
    private final RouteMeter meter;
    private final HandshakeRecording recording;
    private final long dialStart;

    Outcome(
        HttpServerExchange exchange,
        Route route,
        TimeoutsConfig timeouts,
        HandshakeAdmission.Admitted admitted,
        RouteMeter meter,
        HandshakeRecording recording,
        long dialStart) {
      this.exchange = exchange;
      this.route = route;
      this.timeouts = timeouts;
      this.admitted = admitted;
      this.meter = meter;
      this.recording = recording;
      this.dialStart = dialStart;
    }

    @Override
    public void upgraded(
        BackendServer server,
        StreamConnection backend,
        BackendResponse response,
        ByteBuffer early) {
      if (!exchange.getConnection().isOpen()) {
        // The client left during the dial, or a ban dropped it: a close listener added now would
        // never run, so the backend connection and the counts are given back here.
        abandon(server, backend, admitted);
        return;
      }
      observe.metrics().backendConnected(route.config().backend(), System.nanoTime() - dialStart);
      observe.metrics().accepted();
      for (String name : response.headerNames()) {
        if (!HOP_BY_HOP.contains(name)) {
          HttpString h = new HttpString(name);
          exchange.getResponseHeaders().addAll(h, response.headers(name));
        }
      }
      exchange.getResponseHeaders().put(Headers.UPGRADE, "websocket");
      boolean deflate = response.header("Sec-WebSocket-Extensions") != null;
      String description = exchange.getSourceAddress() + " -> " + server + exchange.getRequestURI();
      Relay.Settings settings =
          new Relay.Settings(
              route.config().maxMessageBytes(),
              deflate,
              timeouts.ping().toNanos(),
              timeouts.idle().toNanos());
      Handover handover =
          new Handover(
              server, backend, early, settings, description, route, admitted, meter, recording);
      exchange.getConnection().addCloseListener(handover);
      exchange.upgradeChannel(handover);
      exchange.endExchange();
    }

    @Override
    public void refused(BackendServer server, BackendResponse response) {
      observe
          .events()
          .handshakeRejected(
              admitted.client(),
              meter.label(),
              "backend_refused",
              response.status(),
              server + " refused the upgrade");
      admission.release(admitted);
      LOG.fine(
          () -> server + " refused " + exchange.getRequestURI() + " with " + response.status());
      Rejection.send(
          exchange,
          response.status(),
          "backend refused the upgrade: "
              + response.status()
              + (response.reason().isEmpty()
                  ? ""
                  : " " + response.reason().toLowerCase(Locale.ROOT)));
    }

    @Override
    public void failed(String reason) {
      observe
          .events()
          .handshakeRejected(admitted.client(), meter.label(), "backend_failed", 502, reason);
      admission.release(admitted);
      LOG.warning("no backend for " + exchange.getRequestURI() + ": " + reason);
      Rejection.send(exchange, 502, "no backend could take the connection");
    }

    @Override
    public void answeredBadly(BackendServer server, String reason) {
      observe
          .events()
          .handshakeRejected(admitted.client(), meter.label(), "backend_failed", 502, reason);
      admission.release(admitted);
      Rejection.send(exchange, 502, "the backend did not accept the connection");
    }
  }

  /**
   * Hands the client connection, once its 101 is out, and the backend connection to a new {@link
   * Relay}; gives the backend connection and the counts back if the client leaves before that.
   *
   * <p>Undertow's HTTP connection keeps this object (as its upgrade and close listener) for the
   * conversation's whole life, so it holds nothing of the exchange, and lets go of the two things
   * only the start needed that nothing else keeps: the backend's early bytes and the handshake's
   * recording (which holds the exchange). The rest the relay holds anyway, or is shared.
   */
  private final class Handover implements HttpUpgradeListener, ServerConnection.CloseListener {
    private final BackendServer server;
    private final HandshakeAdmission.Admitted admitted;
    private final StreamConnection backend;
    private final Relay.Settings settings;
    private final String description;
    private final Route route;
    private final RouteMeter meter;
    private ByteBuffer early;
    private HandshakeRecording recording;
    private boolean handedOver;

    Handover(
        BackendServer server,
        StreamConnection backend,
        ByteBuffer early,
        Relay.Settings settings,
        String description,
        Route route,
        HandshakeAdmission.Admitted admitted,
        RouteMeter meter,
        HandshakeRecording recording) {
      this.server = server;
      this.backend = backend;
      this.early = early;
      this.settings = settings;
      this.description = description;
      this.route = route;
      this.admitted = admitted;
      this.meter = meter;
      this.recording = recording;
    }

    @Override
    public void closed(ServerConnection connection) {
      if (!handedOver) { // the client left before its 101 went out
        abandon(server, backend, admitted);
      }
    }

    @Override
    public void handleUpgrade(StreamConnection client, HttpServerExchange exchange) {
      handedOver = true;
      handshakes.upgraded(client); // the channel HTTP was given at accept
      ConnectionGate gate =
          admitted.source() == null
              ? null
              : new ConnectionGate(
                  route.policy(),
                  admitted.source(),
                  enforcer,
                  admitted.client(),
                  enforcer.ticker().nanos());
      SourceFleet fleet = fleetConnection(admitted);
      AnomalyWatch anomalies = observe.anomalies();
      RelayEnd end = new RelayEnd(server, admission, admitted, relays, anomalies, fleet);
      Relay relay =
          new Relay(
              client,
              backend,
              exchange.getConnection().getByteBufferPool(),
              settings,
              gate,
              end,
              description);
      if (fleet != null) {
        // Closed, newest first, when the fleet holds more than the shared maximum.
        end.overFleet(
            fleet.opened(() -> relay.close(CloseCodes.POLICY_VIOLATION, "perIp.connections")));
      }
      if (recording != null) {
        relay.record(recording.upgraded());
      }
      relays.add(relay);
      relay.meter(observe.connection(meter, admitted.client()));
      if (anomalies != null) {
        end.watched(
            anomalies.opened(
                meter.label(),
                route.policy(),
                admitted.source(),
                admitted.client(),
                new WatchedRelay(relay)));
      }
      ByteBuffer earlyBytes = early;
      early = null;
      recording = null;
      relay.start(earlyBytes);
    }
  }
}
