package io.wssguard.server;

import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;
import io.wssguard.handshake.Rejection;

/**
 * Answers requests on a PROXY protocol connection whose header named no client ({@code UNKNOWN},
 * {@code LOCAL}): the load balancer's health checks get 200, a WebSocket upgrade gets 403, as there
 * is no client address to count, strike or ban, and the load balancer itself must never be taken
 * for one. Nothing here reaches a route, a policy or a backend.
 */
final class UnaddressedAnswer implements HttpHandler {
  @Override
  public void handleRequest(HttpServerExchange exchange) {
    if (exchange.getRequestHeaders().contains(Headers.UPGRADE)) {
      Rejection.send(exchange, 403, "forbidden: the PROXY header names no client address");
    } else {
      Rejection.send(exchange, 200, "ok");
    }
  }
}
