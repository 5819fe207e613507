package io.wssguard.handshake;

import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.AttachmentKey;
import io.undertow.util.HeaderValues;
import io.undertow.util.Headers;
import io.undertow.util.HttpString;
import io.undertow.util.Methods;
import java.util.Base64;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * Judges whether a request is a well-formed WebSocket opening handshake (RFC 6455 section 4.2.1)
 * before any of it reaches a backend, each fault with the status that tells the client what is
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
 *       Host;
 *   <li>400 subprotocol offers that are not distinct tokens (section 4.1, RFC 7230 section 3.2.6);
 *   <li>400 a request target whose path can never be used ({@link RequestPath}).
 * </ul>
 *
 * <p>The gate decides but does not answer: every request goes on to {@code next} with its {@link
 * #PATH} and, when refused, its {@link #REJECTION} attached. What a request costs its source (a
 * handshake from its budget, a strike, or a 403 while it is banned) depends on the policy of its
 * route, which only the router knows; a malformed request must pay like any other.
 */
public final class HandshakeGate implements HttpHandler {
  /** The request's path, decided once from the raw request target; set on every request. */
  public static final AttachmentKey<RequestPath> PATH = AttachmentKey.create(RequestPath.class);

  /** Why the request is not a handshake; set only on refused requests. */
  public static final AttachmentKey<Rejection> REJECTION = AttachmentKey.create(Rejection.class);

  private static final HttpString SEC_WEBSOCKET_VERSION = new HttpString("Sec-WebSocket-Version");
  private static final HttpString SEC_WEBSOCKET_KEY = new HttpString("Sec-WebSocket-Key");
  private static final HttpString SEC_WEBSOCKET_PROTOCOL = new HttpString("Sec-WebSocket-Protocol");

  private final HttpHandler next;
  private final int maxHeaderBytes;

  public HandshakeGate(HttpHandler next, int maxHeaderBytes) {
    this.next = next;
    this.maxHeaderBytes = maxHeaderBytes;
  }

  @Override
  public void handleRequest(HttpServerExchange exchange) throws Exception {
    RequestPath path = RequestPath.of(exchange.getRequestURI());
    exchange.putAttachment(PATH, path);
    Rejection rejection = check(exchange, path);
    if (rejection != null) {
      exchange.putAttachment(REJECTION, rejection);
    }
    next.handleRequest(exchange);
  }

  /** The first fault of the request, or null for a well-formed handshake. */
  private Rejection check(HttpServerExchange exchange, RequestPath path) {
    if (!exchange.getRequestMethod().equals(Methods.GET)) {
      return new Rejection(405, "method", "WebSocket handshakes use GET", Map.of("Allow", "GET"));
    }
    if (!exchange.isHttp11()) {
      return new Rejection(400, "version", "WebSocket needs HTTP/1.1");
    }
    int headerBytes = headerBlockBytes(exchange);
    if (headerBytes > maxHeaderBytes) {
      return new Rejection(
          431,
          "header_too_large",
          "request header block is " + headerBytes + " bytes, limit " + maxHeaderBytes);
    }
    var headers = exchange.getRequestHeaders();
    if (announcesBody(headers.get(Headers.CONTENT_LENGTH))
        || headers.contains(Headers.TRANSFER_ENCODING)) {
      return new Rejection(400, "body", "an upgrade request carries no body");
    }
    HeaderValues upgrade = headers.get(Headers.UPGRADE);
    if (upgrade == null) {
      return new Rejection(
          426,
          "upgrade",
          "this endpoint speaks WebSocket only",
          Map.of("Upgrade", "websocket", SEC_WEBSOCKET_VERSION.toString(), "13"));
    }
    if (upgrade.size() != 1 || !HeaderTokens.contains(upgrade.getFirst(), "websocket")) {
      return new Rejection(400, "upgrade", "only 'Upgrade: websocket' is supported");
    }
    if (!connectionHasUpgrade(headers.get(Headers.CONNECTION))) {
      return new Rejection(400, "connection", "'Connection: upgrade' is missing");
    }
    HeaderValues version = headers.get(SEC_WEBSOCKET_VERSION);
    if (version == null || version.size() != 1 || !version.getFirst().trim().equals("13")) {
      return new Rejection(
          426,
          "ws_version",
          "Sec-WebSocket-Version must be 13",
          Map.of(SEC_WEBSOCKET_VERSION.toString(), "13"));
    }
    HeaderValues key = headers.get(SEC_WEBSOCKET_KEY);
    if (key == null || key.size() != 1 || !isValidKey(key.getFirst())) {
      return new Rejection(400, "key", "Sec-WebSocket-Key must be the base64 of 16 bytes");
    }
    HeaderValues host = headers.get(Headers.HOST);
    if (host == null || host.size() != 1 || host.getFirst().isBlank()) {
      return new Rejection(400, "host", "exactly one Host header is required");
    }
    HeaderValues protocols = headers.get(SEC_WEBSOCKET_PROTOCOL);
    if (protocols != null && !areDistinctTokens(protocols)) {
      return new Rejection(
          400,
          "subprotocol",
          "Sec-WebSocket-Protocol must list distinct subprotocol tokens (RFC 7230 section 3.2.6)");
    }
    if (!path.acceptable()) {
      return new Rejection(400, "path", path.irregularity());
    }
    return null;
  }

  /** Every offer a token, none twice, at least one (RFC 6455 section 4.1: {@code 1#token}). */
  private static boolean areDistinctTokens(HeaderValues protocols) {
    Set<String> seen = new HashSet<>();
    for (String header : protocols) {
      for (String offer : HeaderTokens.elements(header)) {
        if (!HeaderTokens.isToken(offer) || !seen.add(offer)) {
          return false;
        }
      }
    }
    return !seen.isEmpty();
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
