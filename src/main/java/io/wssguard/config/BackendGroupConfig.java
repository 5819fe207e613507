package io.wssguard.config;

import java.net.URI;
import java.time.Duration;
import java.util.List;

/**
 * A group of interchangeable backend WebSocket servers.
 *
 * @param servers {@code ws://} or {@code wss://} URIs; their path is ignored (the client's path is
 *     forwarded)
 * @param connectTimeout how long one TCP (and TLS) connect may take before the next server is tried
 * @param downTime how long a server that failed to connect or answered badly is skipped (passive
 *     health)
 * @param maxConnectsPerSecond new backend connections per second for the whole group; beyond it
 *     handshakes get 503 (shields backends from reconnect storms)
 * @param tls how {@code wss://} servers are verified
 */
public record BackendGroupConfig(
    String name,
    List<URI> servers,
    Balance balance,
    Duration connectTimeout,
    Duration downTime,
    int maxConnectsPerSecond,
    BackendTlsConfig tls) {

  public BackendGroupConfig {
    servers = List.copyOf(servers);
  }
}
