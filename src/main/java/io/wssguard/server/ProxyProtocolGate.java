package io.wssguard.server;

import io.undertow.connector.ByteBufferPool;
import io.undertow.connector.PooledByteBuffer;
import io.undertow.protocols.ssl.UndertowXnioSsl;
import io.undertow.server.ConnectorStatistics;
import io.undertow.server.DelegateOpenListener;
import io.undertow.server.HttpHandler;
import io.undertow.server.protocol.http.HttpOpenListener;
import io.undertow.server.protocol.proxy.ProxyProtocolOpenListener;
import io.wssguard.net.Cidr;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;
import org.xnio.ChannelListener;
import org.xnio.OptionMap;
import org.xnio.StreamConnection;
import org.xnio.XnioExecutor;

/**
 * Accepts connections on a PROXY-protocol listener only from the configured load balancers: anyone
 * else could name any client address in the header, so their connections are closed before a byte
 * is read. The header itself (v1 or v2) is then parsed by Undertow's PROXY protocol listener, which
 * also starts TLS after it.
 *
 * <p>The header must be complete within {@code timeouts.handshake} of accept (Undertow's parser has
 * no clock of its own, and a load balancer's connection that never finishes one would be held
 * forever). Once it is, the client it names meets the ban check of the {@link AcceptGate}. A header
 * that names no client ({@code UNKNOWN} in v1, {@code LOCAL} in v2: the load balancer's own health
 * checks) leaves the load balancer as the peer; the load balancer is never the counted, struck or
 * banned client, so such a connection never reaches routes and policies: {@link UnaddressedAnswer}
 * answers it.
 */
final class ProxyProtocolGate implements ChannelListener<StreamConnection> {
  private static final Logger LOG = Logger.getLogger(ProxyProtocolGate.class.getName());

  private final List<Cidr> trusted;
  private final AcceptGate gate;
  private final HttpOpenListener http;
  private final HttpOpenListener unaddressed;
  private final UndertowXnioSsl ssl;
  private final ByteBufferPool buffers;
  private final long headerNanos;
  private final String listener;

  /**
   * @param ssl starts TLS after the header; {@code null} for a plain listener
   * @param headerTimeout how long after accept the header may take
   */
  ProxyProtocolGate(
      List<Cidr> trusted,
      AcceptGate gate,
      HttpOpenListener http,
      UndertowXnioSsl ssl,
      ByteBufferPool buffers,
      Duration headerTimeout,
      String listener) {
    this.trusted = trusted;
    this.gate = gate;
    this.http = http;
    this.unaddressed = new HttpOpenListener(http.getBufferPool(), http.getUndertowOptions());
    this.unaddressed.setRootHandler(new UnaddressedAnswer());
    this.ssl = ssl;
    this.buffers = buffers;
    this.headerNanos = headerTimeout.toNanos();
    this.listener = listener;
  }

  @Override
  public void handleEvent(StreamConnection connection) {
    InetSocketAddress peer = connection.getPeerAddress(InetSocketAddress.class);
    if (peer == null || !PolicyAdmission.matches(trusted, peer.getAddress())) {
      LOG.fine(
          () ->
              "listener '"
                  + listener
                  + "': "
                  + peer
                  + " is not a trusted PROXY protocol sender, closed");
      gate.refuse(connection, "proxy_untrusted");
      return;
    }
    if (!gate.admit(connection)) {
      return;
    }
    XnioExecutor.Key timer =
        connection
            .getIoThread()
            .executeAfter(
                () -> {
                  if (connection.isOpen()) {
                    LOG.fine(
                        () ->
                            "listener '"
                                + listener
                                + "': no complete PROXY header from "
                                + peer
                                + " in time, closed");
                    gate.refuse(connection, "proxy_timeout");
                  }
                },
                headerNanos,
                TimeUnit.NANOSECONDS);
    // One parser per connection, so that the end of its header can stop this connection's timer.
    new ProxyProtocolOpenListener(new HeaderRead(timer), ssl, buffers, OptionMap.EMPTY)
        .handleEvent(connection);
  }

  /** Where Undertow's PROXY parser hands the connection once the header is complete. */
  private final class HeaderRead implements DelegateOpenListener {
    private final XnioExecutor.Key timer;

    HeaderRead(XnioExecutor.Key timer) {
      this.timer = timer;
    }

    @Override
    public void handleEvent(StreamConnection connection, PooledByteBuffer buffer) {
      timer.remove();
      InetSocketAddress client = connection.getPeerAddress(InetSocketAddress.class);
      if (client == null || PolicyAdmission.matches(trusted, client.getAddress())) {
        // UNKNOWN or LOCAL: the peer is still the load balancer.
        unaddressed.handleEvent(connection, buffer);
        return;
      }
      if (gate.banned(connection, client.getAddress())) {
        if (buffer != null) {
          buffer.close();
        }
        return;
      }
      http.handleEvent(connection, buffer);
    }

    @Override
    public void handleEvent(StreamConnection connection) {
      handleEvent(connection, null);
    }

    @Override
    public HttpHandler getRootHandler() {
      return http.getRootHandler();
    }

    @Override
    public void setRootHandler(HttpHandler rootHandler) {
      throw new UnsupportedOperationException("the root handler is the HTTP listener's");
    }

    @Override
    public OptionMap getUndertowOptions() {
      return http.getUndertowOptions();
    }

    @Override
    public void setUndertowOptions(OptionMap undertowOptions) {
      throw new UnsupportedOperationException("the options are the HTTP listener's");
    }

    @Override
    public ByteBufferPool getBufferPool() {
      return http.getBufferPool();
    }

    @Override
    public ConnectorStatistics getConnectorStatistics() {
      return http.getConnectorStatistics();
    }
  }
}
