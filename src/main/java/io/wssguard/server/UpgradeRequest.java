package io.wssguard.server;

import io.undertow.server.HttpServerExchange;
import io.undertow.util.HeaderValues;
import io.undertow.util.Headers;
import io.undertow.util.HttpString;
import io.wssguard.handshake.HeaderTokens;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Builds the upgrade request sent to a backend from the client's request.
 *
 * <p>The request line carries the request's one path (the one routes and policies matched) and the
 * query as the client sent it. End-to-end headers pass unchanged, including the client's {@code
 * Sec-WebSocket-Key} (so the backend's accept value is right for the client and can be checked).
 * Hop-by-hop headers and those the client names in {@code Connection} are dropped, except the ones
 * the gate and the policy checked ({@code Host}, {@code Origin}, {@code Sec-WebSocket-*}, the
 * policy's required headers): otherwise {@code Connection: Origin} would pass an Origin check and
 * then hide the Origin from the backend. Forwarding headers the client sent are dropped too and
 * replaced by the proxy's own view ({@code X-Forwarded-For}, {@code X-Forwarded-Proto}, {@code
 * Forwarded}) naming the client the policy counted (behind a trusted proxy, the one its {@code
 * X-Forwarded-For} named): a client cannot pick the address a backend sees. {@code
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

  /** Headers the gate checks, besides {@code Sec-WebSocket-*}. */
  private static final Set<String> GATE_CHECKED = Set.of("host", "origin", "upgrade");

  private UpgradeRequest() {}

  /**
   * @param path the request's path, as routed and checked
   * @param client the client's address as the policy saw it
   * @param protocols the subprotocol offers to forward (the client's, less those the policy does
   *     not allow)
   * @param checked names of further headers a check relied on (the policy's required headers), kept
   *     whatever {@code Connection} says
   */
  static byte[] build(
      HttpServerExchange exchange,
      String path,
      InetAddress client,
      boolean permessageDeflate,
      List<String> protocols,
      List<String> checked) {
    Set<String> named = connectionNamed(exchange.getRequestHeaders().get(Headers.CONNECTION));
    for (String name : checked) {
      named.remove(name.toLowerCase(Locale.ROOT));
    }
    StringBuilder sb = new StringBuilder(512);
    sb.append("GET ").append(path);
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
    String ip = client.getHostAddress();
    String proto = exchange.getRequestScheme().equals("https") ? "https" : "http";
    String forwardedFor = client instanceof Inet6Address ? "\"[" + ip + "]\"" : ip;
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

  /** The subprotocols the client offered, in order (the gate checked that they are tokens). */
  static List<String> offeredProtocols(HttpServerExchange exchange) {
    List<String> protocols = new ArrayList<>();
    HeaderValues values =
        exchange.getRequestHeaders().get(new HttpString("Sec-WebSocket-Protocol"));
    if (values != null) {
      for (String header : values) {
        protocols.addAll(HeaderTokens.elements(header));
      }
    }
    return protocols;
  }

  /**
   * The header names {@code Connection} lists, less those the gate relies on: {@code Host}, {@code
   * Origin}, {@code Upgrade} and every {@code Sec-WebSocket-*}.
   */
  private static Set<String> connectionNamed(HeaderValues connection) {
    Set<String> names = new HashSet<>();
    if (connection == null) {
      return names;
    }
    for (String v : connection) {
      for (String t : HeaderTokens.elements(v)) {
        String name = t.toLowerCase(Locale.ROOT);
        if (!name.startsWith("sec-websocket-") && !GATE_CHECKED.contains(name)) {
          names.add(name);
        }
      }
    }
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
