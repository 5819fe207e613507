package io.wssguard.backend;

import io.github.resilience4j.ratelimiter.RateLimiter;
import io.github.resilience4j.ratelimiter.RateLimiterConfig;
import io.wssguard.config.BackendGroupConfig;
import io.wssguard.config.Balance;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A group of interchangeable backend servers and the order in which a new connection should try
 * them.
 *
 * <p>{@link #candidates} returns every server once: healthy ones first (in round-robin or
 * least-connections order), then the ones marked down, soonest-to-recover first, so that a group
 * whose servers all failed recently still gets a try rather than a certain 502.
 */
public final class BackendGroup {
  private final BackendGroupConfig config;
  private final List<BackendServer> servers;
  private final AtomicInteger next = new AtomicInteger();

  /** Shared by every IO thread: coarse, and rarely contended, so a ready-made limiter fits. */
  private final RateLimiter connects;

  public BackendGroup(BackendGroupConfig config) {
    this(config, InetAddress::getByName);
  }

  BackendGroup(BackendGroupConfig config, BackendServer.HostLookup lookup) {
    this.config = config;
    this.connects =
        RateLimiter.of(
            "backend-" + config.name(),
            RateLimiterConfig.custom()
                .limitForPeriod(config.maxConnectsPerSecond())
                .limitRefreshPeriod(Duration.ofSeconds(1))
                .timeoutDuration(Duration.ZERO)
                .build());
    List<BackendServer> list = new ArrayList<>();
    config.servers().forEach(uri -> list.add(new BackendServer(uri, lookup)));
    this.servers = List.copyOf(list);
  }

  public BackendGroupConfig config() {
    return config;
  }

  public List<BackendServer> servers() {
    return servers;
  }

  /** The servers to try for one new connection, best first. */
  public List<BackendServer> candidates(long nowNanos) {
    int n = servers.size();
    List<BackendServer> up = new ArrayList<>(n);
    List<BackendServer> down = new ArrayList<>(0);
    int start = Math.floorMod(next.getAndIncrement(), n);
    for (int i = 0; i < n; i++) {
      BackendServer s = servers.get((start + i) % n);
      (s.isDown(nowNanos) ? down : up).add(s);
    }
    if (config.balance() == Balance.LEAST_CONNECTIONS) {
      // Stable sort keeps the round-robin rotation among equally loaded servers.
      up.sort((a, b) -> Integer.compare(a.activeConnections(), b.activeConnections()));
    }
    down.sort((a, b) -> Long.compare(a.downUntilNanos() - nowNanos, b.downUntilNanos() - nowNanos));
    up.addAll(down);
    return up;
  }

  /**
   * Takes a permit for one new backend connection; false when the group's connect rate is spent.
   */
  public boolean tryConnect() {
    return connects.acquirePermission();
  }

  /**
   * Passive health: a server that could not be connected to (TCP, TLS, or in time) is skipped for a
   * while. What it answered never marks it down: the answer may be about one client's request.
   */
  public void markDown(BackendServer server, long nowNanos) {
    server.markDown(nowNanos, config.downTime().toNanos());
  }

  public void connectionOpened(BackendServer server) {
    server.connectionOpened();
  }
}
