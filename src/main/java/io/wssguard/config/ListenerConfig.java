package io.wssguard.config;

import java.net.InetSocketAddress;

/**
 * One listening socket.
 *
 * @param tls TLS settings, or {@code null} for a plain {@code ws://} listener (behind another TLS terminator or for
 *     measuring TLS cost)
 */
public record ListenerConfig(String name, InetSocketAddress bind, TlsConfig tls) {}
