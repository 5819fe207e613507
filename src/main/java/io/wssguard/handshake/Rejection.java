package io.wssguard.handshake;

import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;
import io.undertow.util.HttpString;
import java.util.Map;

/**
 * A refused handshake: its status, the name of the reason (for metrics and the security log), the
 * one-line answer, and the headers that tell the client what would be accepted ({@code Allow},
 * {@code Upgrade}, {@code Sec-WebSocket-Version}). Sending it closes the connection.
 */
public record Rejection(int status, String reason, String detail, Map<String, String> headers) {

  public Rejection(int status, String reason, String detail) {
    this(status, reason, detail, Map.of());
  }

  /** Sends it on {@code exchange}. */
  public void send(HttpServerExchange exchange) {
    headers.forEach(
        (name, value) -> exchange.getResponseHeaders().put(new HttpString(name), value));
    send(exchange, status, detail);
  }

  /** Sends {@code status} with a one-line {@code reason} and closes the connection. */
  public static void send(HttpServerExchange exchange, int status, String reason) {
    exchange.setStatusCode(status);
    exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, "text/plain; charset=utf-8");
    exchange.getResponseHeaders().put(Headers.CONNECTION, "close");
    exchange.setPersistent(false);
    exchange.getResponseSender().send(reason + "\n");
  }
}
