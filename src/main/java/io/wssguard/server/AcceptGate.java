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
 * once. Both are counted in {@code wssguard_connections_refused_total}.
 *
 * <p>On PROXY protocol listeners the peer is the load balancer, so {@link ProxyProtocolGate} takes
 * only the cap here and asks {@link #banned} once the header has named the client.
 */
final class AcceptGate {
  private static final Logger LOG = Logger.getLogger(AcceptGate.class.getName());

  private final Bans bans;
  private final ConnectionCap cap;
  private final Metrics metrics;

  AcceptGate(Bans bans, ConnectionCap cap, Metrics metrics) {
    this.bans = bans;
    this.cap = cap;
    this.metrics = metrics;
    metrics.connections(cap::open, cap.max());
    LOG.fine(() -> "at most " + cap.max() + " client connections at once");
  }

  /** {@code next} behind the ban check and the cap, for a listener whose peer is the client. */
  ChannelListener<StreamConnection> wrap(ChannelListener<StreamConnection> next) {
    return connection -> {
      InetSocketAddress peer = connection.getPeerAddress(InetSocketAddress.class);
      if (peer != null && banned(connection, peer.getAddress())) {
        return;
      }
      if (admit(connection)) {
        next.handleEvent(connection);
      }
    };
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
