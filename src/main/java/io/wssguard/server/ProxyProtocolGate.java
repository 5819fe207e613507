package io.wssguard.server;

import io.undertow.connector.ByteBufferPool;
import io.undertow.connector.PooledByteBuffer;
import io.undertow.protocols.ssl.UndertowXnioSsl;
import io.undertow.server.ConnectorStatistics;
import io.undertow.server.DelegateOpenListener;
import io.undertow.server.HttpHandler;
import io.undertow.server.protocol.http.HttpOpenListener;
import io.undertow.server.protocol.proxy.ProxyProtocolOpenListener;
import io.undertow.util.PooledAdaptor;
import io.wssguard.net.Cidr;
import io.wssguard.net.ProxyHeaderLength;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;
import org.xnio.ChannelListener;
import org.xnio.IoUtils;
import org.xnio.OptionMap;
import org.xnio.StreamConnection;
import org.xnio.XnioExecutor;
import org.xnio.channels.StreamSourceChannel;
import org.xnio.conduits.ConduitStreamSourceChannel;
import org.xnio.conduits.PushBackStreamSourceConduit;

/**
 * Accepts connections on a PROXY-protocol listener only from the configured load balancers: anyone
 * else could name any client address in the header, so their connections are closed before a byte
 * is read. The header itself (v1 or v2) is then read in two steps: {@link PendingHeader} reads
 * until the whole header is there, however many reads that takes, and hands it, pushed back in
 * front of the connection's input, to Undertow's PROXY protocol listener, which reads what it says
 * and starts TLS after it.
 *
 * <p>The first step is ours for correctness: Undertow's parser takes each read as the start of a
 * header, so a header split across TCP segments (a v2 header in a slow first segment, a v1 line cut
 * anywhere) closed the connection. {@link ProxyHeaderLength} decides from the bytes so far whether
 * the header is complete, still possible, or impossible (bounded: a v1 line within 107 bytes, a v2
 * header within 16 + {@link ProxyHeaderLength#MAX_V2_LENGTH} bytes), so nothing is read past what a
 * header may take and an impossible one is closed at once.
 *
 * <p>The header must be complete within {@code timeouts.handshake} of accept (neither step has a
 * clock of its own, and a load balancer's connection that never finishes one would be held
 * forever). Once it is, the client it names enters the {@link AcceptGate} (its ban check, and the
 * registry of connections in their handshake that a later ban closes). A header that names no
 * client ({@code UNKNOWN} in v1, {@code LOCAL} in v2: the load balancer's own health checks) leaves
 * the load balancer as the peer; the load balancer is never the counted, struck or banned client,
 * so such a connection never reaches routes and policies: {@link UnaddressedAnswer} answers it.
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
   * @param buffers where a pending header is read into; buffers of at least {@link
   *     ProxyHeaderLength#MAX_BYTES}
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
    if (buffers.getBufferSize() < ProxyHeaderLength.MAX_BYTES) {
      throw new IllegalArgumentException(
          "buffers of " + buffers.getBufferSize() + " bytes cannot hold a PROXY header");
    }
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
    PendingHeader pending = new PendingHeader(connection, peer);
    connection.getSourceChannel().setReadListener(pending);
    connection.getSourceChannel().resumeReads();
  }

  /**
   * A connection whose PROXY header is not complete yet: its bytes so far in one pooled buffer, and
   * the timer that closes it if the header takes too long. Runs on the connection's IO thread only
   * (its reads and its timer), so it needs no lock.
   */
  private final class PendingHeader implements ChannelListener<StreamSourceChannel> {
    private final StreamConnection connection;
    private final InetSocketAddress peer;
    private final XnioExecutor.Key timer;
    private PooledByteBuffer read; // null once handed on or given back

    PendingHeader(StreamConnection connection, InetSocketAddress peer) {
      this.connection = connection;
      this.peer = peer;
      this.read = buffers.allocate();
      ByteBuffer b = read.getBuffer();
      b.clear().limit(ProxyHeaderLength.MAX_BYTES);
      this.timer =
          connection.getIoThread().executeAfter(this::timedOut, headerNanos, TimeUnit.NANOSECONDS);
    }

    @Override
    public void handleEvent(StreamSourceChannel channel) {
      if (read == null) {
        return;
      }
      ByteBuffer b = read.getBuffer();
      int length;
      try {
        while ((length = ProxyHeaderLength.of(b, b.position())) == ProxyHeaderLength.INCOMPLETE) {
          int n = b.hasRemaining() ? channel.read(b) : -1;
          if (n == 0) {
            return; // the rest of the header has not arrived yet
          }
          if (n < 0) {
            drop("the connection ended before the PROXY header did");
            return;
          }
        }
      } catch (IOException e) {
        drop("reading the PROXY header failed: " + e.getMessage());
        return;
      }
      if (length == ProxyHeaderLength.INVALID) {
        drop("no valid PROXY header");
        return;
      }
      handOn(channel);
    }

    /** Puts the header (and whatever came after it) back in front of the input for Undertow. */
    private void handOn(StreamSourceChannel channel) {
      channel.suspendReads();
      read.getBuffer().flip();
      ConduitStreamSourceChannel source = connection.getSourceChannel();
      PushBackStreamSourceConduit conduit = new PushBackStreamSourceConduit(source.getConduit());
      conduit.pushBack(new PooledAdaptor(read));
      read = null; // the conduit gives it back once it is read, or when the connection closes
      source.setConduit(conduit);
      // One parser per connection, so that the end of its header can stop this connection's timer.
      new ProxyProtocolOpenListener(new HeaderRead(timer), ssl, buffers, OptionMap.EMPTY)
          .handleEvent(connection);
    }

    private void drop(String why) {
      timer.remove();
      giveBack();
      LOG.fine(() -> "listener '" + listener + "': " + why + " from " + peer + ", closed");
      IoUtils.safeClose(connection);
    }

    private void timedOut() {
      giveBack();
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
    }

    private void giveBack() {
      if (read != null) {
        read.close();
        read = null;
      }
    }
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
      if (!gate.enter(connection, client.getAddress())) {
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
