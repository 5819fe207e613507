package io.wssguard.server;

import io.undertow.server.protocol.http.HttpOpenListener;
import io.wssguard.config.ListenerConfig;
import io.wssguard.tls.TlsSlot;
import java.net.InetSocketAddress;
import org.xnio.IoUtils;
import org.xnio.StreamConnection;
import org.xnio.channels.AcceptingChannel;

/**
 * One listener as bound: its listening socket and what serves that socket alone, its TLS slot, its
 * own HTTP parser and the relays of the conversations it accepted. Kept apart per listener so that
 * a reload can stop one (no new connections; its conversations closed with 1001 and waited for)
 * while the others go on untouched.
 */
final class ListenerSocket {
  private final ListenerConfig config;
  private final AcceptingChannel<? extends StreamConnection> channel;
  private final InetSocketAddress address;
  private final TlsSlot slot;
  private final HttpOpenListener http;
  private final RelayRegistry relays;

  ListenerSocket(
      ListenerConfig config,
      AcceptingChannel<? extends StreamConnection> channel,
      TlsSlot slot,
      HttpOpenListener http,
      RelayRegistry relays) {
    this.config = config;
    this.channel = channel;
    this.address = (InetSocketAddress) channel.getLocalAddress();
    this.slot = slot;
    this.http = http;
    this.relays = relays;
  }

  ListenerConfig config() {
    return config;
  }

  String name() {
    return config.name();
  }

  /** Where it is bound (the port chosen when the configuration says 0). */
  InetSocketAddress address() {
    return address;
  }

  /** The TLS slot a reload puts new certificates into; null for a plain listener. */
  TlsSlot slot() {
    return slot;
  }

  RelayRegistry relays() {
    return relays;
  }

  /**
   * Whether a reload can keep this socket for {@code next}: the same address, TLS on or off alike
   * and the same PROXY senders. Certificates and TLS settings may differ; the slot takes them.
   */
  boolean keptFor(ListenerConfig next) {
    return config.bind().equals(next.bind())
        && (config.tls() == null) == (next.tls() == null)
        && config.proxyProtocolFrom().equals(next.proxyProtocolFrom());
  }

  boolean accepting() {
    return channel.isOpen();
  }

  void resumeAccepts() {
    channel.resumeAccepts();
  }

  /** Closes the listening socket; connections it accepted are left alone. */
  void stopAccepting() {
    IoUtils.safeClose(channel);
  }

  /** Closes every connection this listener accepted that is still open. */
  void closeConnections() {
    http.closeConnections();
  }
}
