package io.wssguard.handshake;

import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.HeaderValues;
import io.undertow.util.Headers;
import io.undertow.util.HttpString;
import io.undertow.util.Methods;
import io.wssguard.event.SecurityEvents;
import java.util.Base64;

/**
 * Refuses every request that is not a well-formed WebSocket opening handshake (RFC 6455 section
 * 4.2.1) before any of it reaches a backend, each with the status that tells the client what is
 * wrong:
 *
 * <ul>
 *   <li>405 not GET; 400 not HTTP/1.1;
 *   <li>431 request line and headers over the configured size (Undertow itself drops connections
 *       whose header block exceeds its own larger backstop, see {@code ProxyServer});
 *   <li>400 a body announced ({@code Transfer-Encoding}, or a {@code Content-Length} other than 0):
 *       an upgrade has none, and one that claims one is a request-smuggling attempt;
 *   <li>426 no {@code Upgrade} header, 400 an upgrade to something else or no {@code Connection:
 *       upgrade};
 *   <li>426 with {@code Sec-WebSocket-Version: 13} when the version is missing or not 13 (section
 *       4.4);
 *   <li>400 a missing, repeated or malformed {@code Sec-WebSocket-Key} (base64 of 16 bytes), or no
 *       Host.
 * </ul>
 */
public final class HandshakeGate implements HttpHandler {
  private static final HttpString SEC_WEBSOCKET_VERSION = new HttpString("Sec-WebSocket-Version");
  private static final HttpString SEC_WEBSOCKET_KEY = new HttpString("Sec-WebSocket-Key");

  private final HttpHandler next;
  private final int maxHeaderBytes;
  private final SecurityEvents events;

  public HandshakeGate(HttpHandler next, int maxHeaderBytes) {
    this(next, maxHeaderBytes, SecurityEvents.NONE);
  }

  public HandshakeGate(HttpHandler next, int maxHeaderBytes, SecurityEvents events) {
    this.next = next;
    this.maxHeaderBytes = maxHeaderBytes;
    this.events = events;
  }

  /** Reports the refusal ({@code reason} names it in metrics and the security log) and sends it. */
  private void reject(HttpServerExchange exchange, String reason, int status, String detail) {
    events.handshakeRejected(
        exchange.getSourceAddress().getAddress(), null, reason, status, detail);
    Rejection.send(exchange, status, detail);
  }

  @Override
  public void handleRequest(HttpServerExchange exchange) throws Exception {
    if (!exchange.getRequestMethod().equals(Methods.GET)) {
      exchange.getResponseHeaders().put(Headers.ALLOW, "GET");
      reject(exchange, "method", 405, "WebSocket handshakes use GET");
      return;
    }
    if (!exchange.isHttp11()) {
      reject(exchange, "version", 400, "WebSocket needs HTTP/1.1");
      return;
    }
    int headerBytes = headerBlockBytes(exchange);
    if (headerBytes > maxHeaderBytes) {
      reject(
          exchange,
          "header_too_large",
          431,
          "request header block is " + headerBytes + " bytes, limit " + maxHeaderBytes);
      return;
    }
    var headers = exchange.getRequestHeaders();
    if (announcesBody(headers.get(Headers.CONTENT_LENGTH))
        || headers.contains(Headers.TRANSFER_ENCODING)) {
      reject(exchange, "body", 400, "an upgrade request carries no body");
      return;
    }
    HeaderValues upgrade = headers.get(Headers.UPGRADE);
    if (upgrade == null) {
      exchange.getResponseHeaders().put(Headers.UPGRADE, "websocket");
      exchange.getResponseHeaders().put(SEC_WEBSOCKET_VERSION, "13");
      reject(exchange, "upgrade", 426, "this endpoint speaks WebSocket only");
      return;
    }
    if (upgrade.size() != 1 || !HeaderTokens.contains(upgrade.getFirst(), "websocket")) {
      reject(exchange, "upgrade", 400, "only 'Upgrade: websocket' is supported");
      return;
    }
    if (!connectionHasUpgrade(headers.get(Headers.CONNECTION))) {
      reject(exchange, "connection", 400, "'Connection: upgrade' is missing");
      return;
    }
    HeaderValues version = headers.get(SEC_WEBSOCKET_VERSION);
    if (version == null || version.size() != 1 || !version.getFirst().trim().equals("13")) {
      exchange.getResponseHeaders().put(SEC_WEBSOCKET_VERSION, "13");
      reject(exchange, "ws_version", 426, "Sec-WebSocket-Version must be 13");
      return;
    }
    HeaderValues key = headers.get(SEC_WEBSOCKET_KEY);
    if (key == null || key.size() != 1 || !isValidKey(key.getFirst())) {
      reject(exchange, "key", 400, "Sec-WebSocket-Key must be the base64 of 16 bytes");
      return;
    }
    HeaderValues host = headers.get(Headers.HOST);
    if (host == null || host.size() != 1 || host.getFirst().isBlank()) {
      reject(exchange, "host", 400, "exactly one Host header is required");
      return;
    }
    next.handleRequest(exchange);
  }

  /** Size of the request line and header lines as they were (approximately) sent. */
  public static int headerBlockBytes(HttpServerExchange exchange) {
    int n =
        exchange.getRequestMethod().length()
            + 1
            + exchange.getRequestURI().length()
            + (exchange.getQueryString().isEmpty() ? 0 : 1 + exchange.getQueryString().length())
            + 1
            + exchange.getProtocol().length()
            + 2;
    for (HeaderValues values : exchange.getRequestHeaders()) {
      for (String value : values) {
        n += values.getHeaderName().length() + 2 + value.length() + 2;
      }
    }
    return n + 2;
  }

  /** Any Transfer-Encoding or a Content-Length other than one "0" (the JDK's client sends that). */
  private static boolean announcesBody(HeaderValues contentLength) {
    return contentLength != null
        && (contentLength.size() != 1 || !contentLength.getFirst().trim().equals("0"));
  }

  private static boolean connectionHasUpgrade(HeaderValues connection) {
    if (connection == null) {
      return false;
    }
    for (String value : connection) {
      if (HeaderTokens.contains(value, "upgrade")) {
        return true;
      }
    }
    return false;
  }

  static boolean isValidKey(String key) {
    String k = key.trim();
    if (k.length() != 24) {
      return false;
    }
    try {
      return Base64.getDecoder().decode(k).length == 16;
    } catch (IllegalArgumentException e) {
      return false;
    }
  }
}
