package io.wssguard.config;

import io.wssguard.net.Cidr;
import java.net.InetSocketAddress;
import java.util.List;

/**
 * One listening socket.
 *
 * @param tls TLS settings, or {@code null} for a plain {@code ws://} listener (behind another TLS
 *     terminator or for measuring TLS cost)
 * @param proxyProtocolFrom when not empty, every connection must open with a PROXY protocol (v1 or
 *     v2) header naming the client, and only peers in these blocks (the load balancers) may connect
 *     at all; empty: no PROXY protocol
 */
public record ListenerConfig(
    String name, InetSocketAddress bind, TlsConfig tls, List<Cidr> proxyProtocolFrom) {

  public ListenerConfig {
    proxyProtocolFrom = List.copyOf(proxyProtocolFrom);
  }

  public ListenerConfig(String name, InetSocketAddress bind, TlsConfig tls) {
    this(name, bind, tls, List.of());
  }
}
