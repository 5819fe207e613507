package io.wssguard.observe;

import io.undertow.protocols.ssl.UndertowXnioSsl;
import io.wssguard.tls.Resumption;
import org.xnio.ChannelListener;
import org.xnio.StreamConnection;
import org.xnio.ssl.SslConnection;

/**
 * Times TLS handshakes on a listener from accept to handshake completion (XNIO's handshake
 * listener), without touching the TLS engine. A connection that closes before its handshake
 * completed counts as a failure with reason {@code closed_before_handshake}: Undertow's SSL conduit
 * swallows the engine's exception and closes, so why it failed (protocol version, no common cipher,
 * an alert from the client, a port scan that sent nothing) is not visible at this level. A
 * completed handshake that resumed a session (BoringSSL only) is also counted as resumed, then
 * handed to {@code handshaken} (the accept gate asks the bans again there).
 */
final class TlsHandshakes implements ChannelListener<StreamConnection> {
  private final Metrics metrics;
  private final String listener;
  private final ChannelListener<StreamConnection> next;
  private final ChannelListener<? super SslConnection> handshaken;

  TlsHandshakes(
      Metrics metrics,
      String listener,
      ChannelListener<StreamConnection> next,
      ChannelListener<? super SslConnection> handshaken) {
    this.metrics = metrics;
    this.listener = listener;
    this.next = next;
    this.handshaken = handshaken;
  }

  @Override
  public void handleEvent(StreamConnection connection) {
    if (!(connection instanceof SslConnection ssl)) {
      next.handleEvent(connection);
      return;
    }
    long accepted = System.nanoTime();
    boolean[] done = {false};
    ChannelListener<SslConnection> timed =
        c -> {
          if (!done[0]) {
            done[0] = true;
            metrics.tlsHandshake(listener, System.nanoTime() - accepted);
            if (Resumption.resumed(UndertowXnioSsl.getSslEngine(c))) {
              metrics.tlsResumed(listener);
            }
            handshaken.handleEvent(c);
          }
        };
    ssl.getHandshakeSetter().set(timed);
    next.handleEvent(connection);
    // XNIO's StreamConnection.setCloseListener adds to the listeners already set (the accept
    // gate's,
    // HTTP's) rather than replacing them, and runs each once: nothing to chain here.
    connection.setCloseListener(
        c -> {
          if (!done[0]) {
            done[0] = true;
            metrics.tlsFailure(listener, "closed_before_handshake");
          }
        });
  }
}
