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
 * @param resolveEvery how often the servers' host names are looked up again (off the IO threads;
 *     connections use the last answer)
 */
public record BackendGroupConfig(
    String name,
    List<URI> servers,
    Balance balance,
    Duration connectTimeout,
    Duration downTime,
    int maxConnectsPerSecond,
    BackendTlsConfig tls,
    Duration resolveEvery) {

  /** How often host names are looked up again when the file does not say. */
  public static final Duration DEFAULT_RESOLVE_EVERY = Duration.ofSeconds(30);

  public BackendGroupConfig {
    servers = List.copyOf(servers);
    resolveEvery = resolveEvery == null ? DEFAULT_RESOLVE_EVERY : resolveEvery;
  }
}
