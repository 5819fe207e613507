package io.wssguard.server;

import io.wssguard.net.Cidr;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.logging.Logger;
import org.xnio.ChannelListener;
import org.xnio.IoUtils;
import org.xnio.StreamConnection;

/**
 * Accepts connections on a PROXY-protocol listener only from the configured load balancers: anyone
 * else could name any client address in the header, so their connections are closed before a byte
 * is read. The header itself (v1 or v2) is then parsed by Undertow's PROXY protocol listener, which
 * also starts TLS after it.
 */
final class ProxyProtocolGate implements ChannelListener<StreamConnection> {
  private static final Logger LOG = Logger.getLogger(ProxyProtocolGate.class.getName());

  private final List<Cidr> trusted;
  private final ChannelListener<StreamConnection> next;
  private final String listener;

  ProxyProtocolGate(List<Cidr> trusted, ChannelListener<StreamConnection> next, String listener) {
    this.trusted = trusted;
    this.next = next;
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
      IoUtils.safeClose(connection);
      return;
    }
    next.handleEvent(connection);
  }
}
