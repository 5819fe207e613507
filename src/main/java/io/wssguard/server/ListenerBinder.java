package io.wssguard.server;

import io.undertow.UndertowOptions;
import io.undertow.connector.ByteBufferPool;
import io.undertow.protocols.ssl.UndertowXnioSsl;
import io.undertow.server.DefaultByteBufferPool;
import io.undertow.server.protocol.http.HttpOpenListener;
import io.wssguard.config.ListenerConfig;
import io.wssguard.config.TimeoutsConfig;
import io.wssguard.handshake.HandshakeGate;
import io.wssguard.limit.Enforcer;
import io.wssguard.observe.Observability;
import io.wssguard.tls.ServerTls;
import io.wssguard.tls.TlsSlot;
import java.io.IOException;
import java.util.concurrent.atomic.AtomicReference;
import org.xnio.ChannelListener;
import org.xnio.ChannelListeners;
import org.xnio.OptionMap;
import org.xnio.Options;
import org.xnio.StreamConnection;
import org.xnio.Xnio;
import org.xnio.XnioWorker;
import org.xnio.channels.AcceptingChannel;
import org.xnio.ssl.SslConnection;

/**
 * Opens listener sockets, at start and on reload alike: each with its TLS slot, its own HTTP parser
 * and relay registry in front of the shared handshake path ({@link HandshakeGate}, {@link
 * UpgradeProxy}), behind the shared {@link AcceptGate}. Accepts stay suspended until the caller
 * resumes them, so a reload can bind every new socket before it changes anything, and close them
 * again when one cannot be bound.
 */
final class ListenerBinder {
  /**
   * The accept queue asked of listen(). The kernel caps it at {@code net.core.somaxconn}, so ask
   * for the most and let that sysctl decide ({@code iptables/sysctl-wssguard.conf} raises it for
   * reconnect storms); a smaller number here would silently undo the raise.
   */
  static final int BACKLOG = 65_535;

  private static final OptionMap SOCKET_OPTIONS =
      OptionMap.builder()
          .set(Options.TCP_NODELAY, true)
          .set(Options.REUSE_ADDRESSES, true)
          .set(Options.BACKLOG, BACKLOG)
          .getMap();

  private final XnioWorker worker;
  private final AcceptGate gate;
  private final Observability observe;
  private final AtomicReference<RuntimeSnapshot> current;
  private final PolicyAdmission admission;
  private final Enforcer enforcer;

  ListenerBinder(
      XnioWorker worker,
      AcceptGate gate,
      Observability observe,
      AtomicReference<RuntimeSnapshot> current,
      PolicyAdmission admission,
      Enforcer enforcer) {
    this.worker = worker;
    this.gate = gate;
    this.observe = observe;
    this.current = current;
    this.admission = admission;
    this.enforcer = enforcer;
  }

  /** The connections of every listener bound here that are still in their handshake. */
  HandshakeRegistry handshakes() {
    return gate.handshakes();
  }

  /**
   * Binds {@code l}, accepts suspended.
   *
   * @param tls the listener's TLS for now, or null for a plain listener
   * @throws IOException the address cannot be bound
   */
  ListenerSocket bind(ListenerConfig l, ServerTls tls, TimeoutsConfig timeouts) throws IOException {
    TlsSlot slot = tls == null ? null : new TlsSlot(tls, enforcer.ticker());
    RelayRegistry relays = new RelayRegistry();
    HttpOpenListener http =
        httpListener(
            timeouts,
            new HandshakeGate(
                new UpgradeProxy(current, relays, gate.handshakes(), admission, enforcer, observe),
                timeouts.maxHeaderBytes()));
    return new ListenerSocket(l, open(l, slot, http, timeouts), slot, http, relays);
  }

  /**
   * Why {@code l} could not be bound, one line naming it and its address, at start and on reload
   * alike.
   */
  static String cannotListen(ListenerConfig l, IOException e) {
    return "listener '"
        + l.name()
        + "' cannot listen on "
        + l.bind().getHostString()
        + ":"
        + l.bind().getPort()
        + ": "
        + e.getMessage();
  }

  /** Undertow's HTTP/1.1 parser, answering with {@code root}. */
  private static HttpOpenListener httpListener(TimeoutsConfig timeouts, HandshakeGate root) {
    // The handshake budget is split: half to receive the first byte, half to complete the head.
    int halfMillis = (int) Math.max(1, timeouts.handshake().toMillis() / 2);
    OptionMap httpOptions =
        OptionMap.builder()
            .set(UndertowOptions.ENABLE_HTTP2, false)
            .set(UndertowOptions.MAX_HEADER_SIZE, ProxyServer.UNDERTOW_HEADER_BACKSTOP)
            .set(UndertowOptions.NO_REQUEST_TIMEOUT, halfMillis)
            .set(UndertowOptions.REQUEST_PARSE_TIMEOUT, halfMillis)
            .set(UndertowOptions.ALWAYS_SET_KEEP_ALIVE, false)
            .getMap();
    ByteBufferPool buffers = new DefaultByteBufferPool(true, ProxyServer.BUFFER_SIZE, -1, 4);
    HttpOpenListener openListener = new HttpOpenListener(buffers, httpOptions);
    openListener.setRootHandler(root);
    return openListener;
  }

  /** The listening socket; every connection passes the accept gate (bans, connection cap) first. */
  private AcceptingChannel<? extends StreamConnection> open(
      ListenerConfig l, TlsSlot t, HttpOpenListener openListener, TimeoutsConfig timeouts)
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
              timeouts.handshake(),
              l.name());
      return worker.createStreamConnectionServer(
          l.bind(), ChannelListeners.openListenerAdapter(proxied), SOCKET_OPTIONS);
    }
    if (t == null) {
      return worker.createStreamConnectionServer(
          l.bind(), ChannelListeners.openListenerAdapter(gate.wrap(openListener)), SOCKET_OPTIONS);
    }
    // Its own pool: TLS records need buffers somewhat over 16 KiB.
    UndertowXnioSsl ssl =
        new UndertowXnioSsl(
            xnio, OptionMap.create(Options.USE_DIRECT_BUFFERS, true), t.sslContext());
    @SuppressWarnings({"unchecked", "rawtypes"})
    ChannelListener<? super AcceptingChannel<SslConnection>> sslAccept =
        (ChannelListener)
            ChannelListeners.openListenerAdapter(
                gate.wrap(observe.timeTls(l.name(), openListener, gate::afterTls)));
    return ssl.createSslConnectionServer(worker, l.bind(), sslAccept, SOCKET_OPTIONS);
  }
}
