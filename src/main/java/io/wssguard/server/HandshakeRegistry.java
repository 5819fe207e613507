package io.wssguard.server;

import io.wssguard.net.Cidr;
import io.wssguard.observe.Metrics;
import java.net.InetAddress;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import org.xnio.ChannelListener;
import org.xnio.IoUtils;
import org.xnio.StreamConnection;

/**
 * The client connections accepted and not yet upgraded (TLS handshake, request head, admission,
 * backend dial), each with its client's address, so that a ban can close at once those of the
 * banned block: a flood's connections accepted before its ban would otherwise each be carried
 * through a full TLS handshake only to be refused at admission. Conversations already upgraded are
 * not here; a ban leaves them as it always did.
 *
 * <p>Keyed by connection, not by source: a flood comes from few sources, and its connections,
 * accepted on every IO thread at once, would all contend for one source's entry. Adding and
 * removing is one map node each, on the connection's own IO thread. A ban walks the map (only
 * connections still in their handshake, bounded by the connection cap and {@code
 * timeouts.handshake}), and a ban may be a whole block anyway; bans are rare next to accepts. The
 * close itself runs on the connection's IO thread, which also marks the upgrade, so a connection
 * upgraded meanwhile is left alone.
 */
final class HandshakeRegistry {
  private final Map<StreamConnection, InetAddress> open = new ConcurrentHashMap<>();
  private final Metrics metrics;

  /** One listener for all connections: removes whichever connection closed. */
  private final ChannelListener<StreamConnection> closed = open::remove;

  HandshakeRegistry(Metrics metrics) {
    this.metrics = metrics;
  }

  /**
   * {@code connection} (as HTTP will see it) from {@code client} is in its handshake until it
   * closes or {@link #upgraded}.
   */
  void opened(StreamConnection connection, InetAddress client) {
    open.put(connection, client);
    connection.setCloseListener(closed); // runs at once if it closed already
  }

  /** {@code connection} became a conversation: a ban no longer closes it. On its IO thread. */
  void upgraded(StreamConnection connection) {
    open.remove(connection);
  }

  /** Closes every connection from {@code banned} that is still in its handshake, and counts it. */
  void banned(Cidr banned) {
    open.forEach(
        (connection, client) -> {
          if (banned.contains(client)) {
            try {
              connection.getIoThread().execute(() -> drop(connection, "in_handshake"));
            } catch (RejectedExecutionException stopping) {
              // The IO threads are stopping: they close every connection themselves.
            }
          }
        });
  }

  /** Closes {@code connection} unless it was upgraded or closed meanwhile. On its IO thread. */
  void drop(StreamConnection connection, String stage) {
    if (open.containsKey(connection)) {
      metrics.droppedBanned(stage);
      IoUtils.safeClose(connection);
    }
  }

  /** How many connections are in their handshake now. */
  int size() {
    return open.size();
  }
}
