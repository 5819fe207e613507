package io.wssguard.handshake;

import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;

/** Sends a refused handshake its status, a one-line reason and closes the connection. */
public final class Rejection {
  private Rejection() {}

  public static void send(HttpServerExchange exchange, int status, String reason) {
    exchange.setStatusCode(status);
    exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, "text/plain; charset=utf-8");
    exchange.getResponseHeaders().put(Headers.CONNECTION, "close");
    exchange.setPersistent(false);
    exchange.getResponseSender().send(reason + "\n");
  }
}
