package io.wssguard.server;

import io.wssguard.admin.AdminServer;
import io.wssguard.backend.BackendGroup;
import io.wssguard.backend.BackendServer;
import io.wssguard.limit.PolicyStore;
import java.util.Collection;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * What {@code /ready} reports: ready while every listener accepts, the policies are loaded and
 * every backend group has a server that is not marked down. A load balancer takes a node that is
 * not ready out of rotation; a node whose backends are all failing is such a node.
 */
final class ServerReadiness implements AdminServer.Readiness {
  private final Supplier<Collection<ListenerSocket>> listeners;
  private final Supplier<Collection<BackendGroup>> groups;
  private final PolicyStore policies;

  /**
   * @param listeners the listeners in force (a reload may change them)
   * @param groups the backend groups in force
   */
  ServerReadiness(
      Supplier<Collection<ListenerSocket>> listeners,
      Supplier<Collection<BackendGroup>> groups,
      PolicyStore policies) {
    this.listeners = listeners;
    this.groups = groups;
    this.policies = policies;
  }

  @Override
  public Optional<String> notReadyBecause() {
    Collection<ListenerSocket> sockets = listeners.get();
    if (sockets.isEmpty() || !sockets.stream().allMatch(ListenerSocket::accepting)) {
      return Optional.of("listeners are not accepting (starting or shutting down)");
    }
    if (policies.current() == null) {
      return Optional.of("no policies loaded");
    }
    long now = System.nanoTime();
    for (BackendGroup g : groups.get()) {
      if (g.servers().stream().allMatch(s -> s.isDown(now))) {
        return Optional.of(
            "backend group '"
                + g.config().name()
                + "': every server is marked down ("
                + g.servers().stream()
                    .map(BackendServer::toString)
                    .collect(Collectors.joining(", "))
                + ")");
      }
    }
    return Optional.empty();
  }
}
