package io.wssguard.server;

import io.wssguard.ban.Bans;
import io.wssguard.observe.Metrics;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.logging.Logger;
import org.xnio.ChannelListener;
import org.xnio.IoUtils;
import org.xnio.StreamConnection;

/**
 * The first thing a new connection meets, right after accept and before any byte is read: a banned
 * source is closed at once (no TLS handshake paid for, no HTTP parsed, whether or not a kernel
 * firewall holds the ban), and beyond the {@link ConnectionCap} every new connection is closed at
 * once. Both are counted in {@code wssguard_connections_refused_total}. A connection let through is
 * in the {@link HandshakeRegistry} until it is upgraded, so that a ban landing during its handshake
 * closes it at once; and a TLS connection is asked again when its handshake completes, before its
 * request is read ({@link #afterTls}).
 *
 * <p>On PROXY protocol listeners the peer is the load balancer, so {@link ProxyProtocolGate} takes
 * only the cap here and calls {@link #enter} once the header has named the client.
 */
final class AcceptGate {
  private static final Logger LOG = Logger.getLogger(AcceptGate.class.getName());

  private final Bans bans;
  private final ConnectionCap cap;
  private final Metrics metrics;
  private final HandshakeRegistry handshakes;

  AcceptGate(Bans bans, ConnectionCap cap, Metrics metrics) {
    this.bans = bans;
    this.cap = cap;
    this.metrics = metrics;
    this.handshakes = new HandshakeRegistry(metrics);
    metrics.connections(cap::open, cap.max());
    LOG.fine(() -> "at most " + cap.max() + " client connections at once");
  }

  /** The connections of every listener that are still in their handshake. */
  HandshakeRegistry handshakes() {
    return handshakes;
  }

  /** {@code next} behind the ban check and the cap, for a listener whose peer is the client. */
  ChannelListener<StreamConnection> wrap(ChannelListener<StreamConnection> next) {
    return connection -> {
      InetSocketAddress peer = connection.getPeerAddress(InetSocketAddress.class);
      if (admit(connection) && (peer == null || enter(connection, peer.getAddress()))) {
        next.handleEvent(connection);
      }
    };
  }

  /**
   * Puts {@code connection} from {@code client} in the handshake registry, then asks the bans: in
   * this order, a ban landing in between still finds it (the ban is visible before the registry is
   * walked). Returns false when {@code client} is banned: the connection has been closed and
   * counted.
   */
  boolean enter(StreamConnection connection, InetAddress client) {
    handshakes.opened(connection, client);
    return !banned(connection, client);
  }

  /**
   * Asked once a connection's TLS handshake completes, before its request is read: a source banned
   * since accept (by a path that closed nothing, such as bans loaded from the fleet at reconnect)
   * costs no HTTP parsing or admission. The close is left to the IO thread's next turn, outside the
   * TLS engine's own call.
   */
  void afterTls(StreamConnection connection) {
    InetSocketAddress peer = connection.getPeerAddress(InetSocketAddress.class);
    if (peer != null && bans.isBanned(peer.getAddress())) {
      connection.getIoThread().execute(() -> handshakes.drop(connection, "after_tls"));
    }
  }

  /**
   * Takes a place under the cap until the connection closes; when there is none, closes the
   * connection, counts it and returns false.
   */
  boolean admit(StreamConnection connection) {
    if (!cap.tryOpen()) {
      refuse(connection, "capacity");
      return false;
    }
    // XNIO adds each close listener to those set before and runs every one once, so the ones HTTP,
    // TLS timing and the relay set later neither replace this nor run it again.
    connection.setCloseListener(c -> cap.closed());
    return true;
  }

  /** Whether {@code client} is banned; if so the connection has been closed and counted. */
  boolean banned(StreamConnection connection, InetAddress client) {
    if (!bans.isBanned(client)) {
      return false;
    }
    refuse(connection, "banned");
    return true;
  }

  /** Closes a connection right after accept and counts why. */
  void refuse(StreamConnection connection, String reason) {
    metrics.connectionRefused(reason);
    IoUtils.safeClose(connection);
  }
}
