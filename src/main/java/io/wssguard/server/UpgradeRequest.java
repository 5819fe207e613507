package io.wssguard.server;

import io.undertow.server.HttpServerExchange;
import io.undertow.util.HeaderValues;
import io.undertow.util.Headers;
import io.undertow.util.HttpString;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Builds the upgrade request sent to a backend from the client's request.
 *
 * <p>End-to-end headers pass unchanged, including the client's {@code Sec-WebSocket-Key} (so the
 * backend's accept value is right for the client and can be checked). Hop-by-hop headers and any
 * the client names in {@code Connection} are dropped. Forwarding headers the client sent are
 * dropped too and replaced by the proxy's own view ({@code X-Forwarded-For}, {@code
 * X-Forwarded-Proto}, {@code Forwarded}): a client cannot pick the address a backend sees. {@code
 * Sec-WebSocket-Extensions} is removed unless the route allows {@code permessage-deflate}, and then
 * only that extension's offers remain.
 */
final class UpgradeRequest {
  private static final Set<String> DROPPED =
      Set.of(
          "connection",
          "content-length",
          "keep-alive",
          "proxy-connection",
          "proxy-authorization",
          "te",
          "trailer",
          "transfer-encoding",
          "upgrade",
          "x-forwarded-for",
          "x-forwarded-proto",
          "x-forwarded-host",
          "x-forwarded-port",
          "x-real-ip",
          "forwarded",
          "sec-websocket-extensions",
          "sec-websocket-protocol");

  private UpgradeRequest() {}

  /**
   * @param protocols the subprotocol offers to forward (the client's, less those the policy does
   *     not allow)
   */
  static byte[] build(
      HttpServerExchange exchange, boolean permessageDeflate, List<String> protocols) {
    Set<String> named = connectionNamed(exchange.getRequestHeaders().get(Headers.CONNECTION));
    StringBuilder sb = new StringBuilder(512);
    sb.append("GET ").append(exchange.getRequestURI());
    if (!exchange.getQueryString().isEmpty()) {
      sb.append('?').append(exchange.getQueryString());
    }
    sb.append(" HTTP/1.1\r\n");
    for (HeaderValues values : exchange.getRequestHeaders()) {
      String name = values.getHeaderName().toString();
      String lower = name.toLowerCase(Locale.ROOT);
      if (DROPPED.contains(lower) || named.contains(lower)) {
        continue;
      }
      for (String v : values) {
        sb.append(name).append(": ").append(v).append("\r\n");
      }
    }
    sb.append("Upgrade: websocket\r\nConnection: Upgrade\r\n");
    if (!protocols.isEmpty()) {
      sb.append("Sec-WebSocket-Protocol: ").append(String.join(", ", protocols)).append("\r\n");
    }
    if (permessageDeflate) {
      List<String> offers =
          deflateOffers(
              exchange.getRequestHeaders().get(new HttpString("Sec-WebSocket-Extensions")));
      if (!offers.isEmpty()) {
        sb.append("Sec-WebSocket-Extensions: ").append(String.join(", ", offers)).append("\r\n");
      }
    }
    InetAddress clientAddress = exchange.getSourceAddress().getAddress();
    String ip = clientAddress.getHostAddress();
    String proto = exchange.getRequestScheme().equals("https") ? "https" : "http";
    String forwardedFor = clientAddress instanceof Inet6Address ? "\"[" + ip + "]\"" : ip;
    sb.append("X-Forwarded-For: ").append(ip).append("\r\n");
    sb.append("X-Forwarded-Proto: ").append(proto).append("\r\n");
    sb.append("Forwarded: for=").append(forwardedFor).append(";proto=").append(proto);
    String host = exchange.getRequestHeaders().getFirst(Headers.HOST);
    if (host != null && isForwardedToken(host)) {
      sb.append(";host=\"").append(host).append('"');
    }
    sb.append("\r\n\r\n");
    return sb.toString().getBytes(StandardCharsets.ISO_8859_1);
  }

  /** The client's permessage-deflate offers, each as it was written. */
  static List<String> deflateOffers(HeaderValues extensions) {
    List<String> offers = new ArrayList<>();
    if (extensions == null) {
      return offers;
    }
    for (String header : extensions) {
      for (String offer : header.split(",", -1)) {
        String name = offer.split(";", 2)[0].trim().toLowerCase(Locale.ROOT);
        if (name.equals("permessage-deflate")) {
          offers.add(offer.trim());
        }
      }
    }
    return offers;
  }

  /** The subprotocols the client offered, in order. */
  static List<String> offeredProtocols(HttpServerExchange exchange) {
    List<String> protocols = new ArrayList<>();
    HeaderValues values =
        exchange.getRequestHeaders().get(new HttpString("Sec-WebSocket-Protocol"));
    if (values != null) {
      for (String header : values) {
        for (String p : header.split(",", -1)) {
          if (!p.isBlank()) {
            protocols.add(p.trim());
          }
        }
      }
    }
    return protocols;
  }

  private static Set<String> connectionNamed(HeaderValues connection) {
    if (connection == null) {
      return Set.of();
    }
    Set<String> names = new java.util.HashSet<>();
    for (String v : connection) {
      for (String t : v.split(",", -1)) {
        names.add(t.trim().toLowerCase(Locale.ROOT));
      }
    }
    names.remove("upgrade");
    return names;
  }

  /** A host value that can be quoted in {@code Forwarded} without escapes (RFC 7239 section 4). */
  private static boolean isForwardedToken(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (!(Character.isLetterOrDigit(c) || c == '.' || c == '-' || c == ':' || c == '_')) {
        return false;
      }
    }
    return !s.isEmpty();
  }
}
