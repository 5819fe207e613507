package io.wssguard.admin;

import io.undertow.server.HttpServerExchange;
import io.undertow.server.handlers.Cookie;
import io.undertow.util.Headers;
import io.undertow.util.HttpString;
import io.undertow.util.Methods;
import io.wssguard.console.Sessions;
import io.wssguard.console.SignInLimit;
import io.wssguard.observe.JsonText;
import io.wssguard.time.Ticker;
import java.net.InetAddress;
import java.util.function.Supplier;
import java.util.logging.Logger;

/**
 * The console's sign-in with the admin token, its session cookie and the checks on requests that
 * carry it (docs/CONSOLE.md).
 *
 * <ul>
 *   <li>{@code POST /session} with the token as {@code Authorization: Bearer} (so it is in no URL
 *       and no log) and {@code Content-Type: application/json}: a new session, always with a new
 *       random id (no session fixation: an id the browser sent is dropped, never adopted), in a
 *       cookie that is {@code HttpOnly} (scripts cannot read it), {@code SameSite=Strict} (no other
 *       site's page makes the browser send it) and {@code Path=/}. Not {@code Secure}: the admin
 *       listener speaks plain HTTP, on loopback or through an SSH tunnel. Attempts are limited per
 *       source ({@link SignInLimit}; 429 with {@code Retry-After}).
 *   <li>The answer carries the session's CSRF token; every state-changing request made with the
 *       cookie must send it back in {@value #CSRF_HEADER} (compared in constant time), and, when
 *       the browser says where the request comes from ({@code Origin}, {@code Sec-Fetch-Site}),
 *       come from this listener's own page. 403 otherwise.
 *   <li>{@code DELETE /session} signs out; {@link #tokenChanged} signs everyone out.
 * </ul>
 */
final class ConsoleSignIn {
  private static final Logger LOG = Logger.getLogger(ConsoleSignIn.class.getName());

  static final String COOKIE = "wssguard_session";
  static final String CSRF_HEADER = "X-CSRF-Token";

  private final Sessions sessions;
  private final SignInLimit limit;
  private final Supplier<AdminToken> token;

  ConsoleSignIn(Ticker ticker, Supplier<AdminToken> token) {
    this.sessions = new Sessions(ticker);
    this.limit = new SignInLimit(ticker);
    this.token = token;
  }

  /** The admin token was replaced: sessions made with the old one end. */
  void tokenChanged() {
    sessions.closeAll();
  }

  /** The live session whose cookie {@code exchange} carries, or null. */
  Sessions.Session session(HttpServerExchange exchange) {
    Cookie c = exchange.getRequestCookie(COOKIE);
    return c == null ? null : sessions.find(c.getValue());
  }

  /** Whether {@code exchange} carries a session cookie at all (live or not). */
  static boolean hasCookie(HttpServerExchange exchange) {
    return exchange.getRequestCookie(COOKIE) != null;
  }

  /**
   * Why a request made with {@code session} may not go on, or null when it may: a state change
   * needs the session's CSRF token, and must not come from another site.
   */
  static String refusal(HttpServerExchange exchange, Sessions.Session session) {
    var method = exchange.getRequestMethod();
    if (method.equals(Methods.GET) || method.equals(Methods.HEAD)) {
      return null;
    }
    String foreign = foreign(exchange);
    if (foreign != null) {
      return foreign;
    }
    if (!session.csrfMatches(exchange.getRequestHeaders().getFirst(CSRF_HEADER))) {
      return "a valid " + CSRF_HEADER + " header is required with the session cookie";
    }
    return null;
  }

  /**
   * Why a request is another site's, as the browser tells ({@code Sec-Fetch-Site}, {@code Origin};
   * tools such as curl send neither), or null.
   */
  static String foreign(HttpServerExchange exchange) {
    String site = exchange.getRequestHeaders().getFirst("Sec-Fetch-Site");
    if (site != null && !site.equals("same-origin")) {
      return "Sec-Fetch-Site: '" + AdminServer.clip(site) + "' (expected: same-origin)";
    }
    String origin = exchange.getRequestHeaders().getFirst(Headers.ORIGIN);
    String host = exchange.getRequestHeaders().getFirst(Headers.HOST);
    if (origin != null && !origin.equals("http://" + host)) {
      return "Origin: '"
          + AdminServer.clip(origin)
          + "' (expected: http://"
          + AdminServer.clip(host)
          + ", this console's own page)";
    }
    return null;
  }

  /** {@code POST /session}. */
  void signIn(HttpServerExchange exchange) {
    String foreign = foreign(exchange);
    if (foreign != null) {
      AdminServer.json(exchange, 403, AdminServer.error(foreign));
      return;
    }
    InetAddress source = exchange.getSourceAddress().getAddress();
    long wait = limit.attempt(source);
    if (wait > 0) {
      exchange.getResponseHeaders().put(Headers.RETRY_AFTER, wait);
      AdminServer.json(
          exchange,
          429,
          AdminServer.error(
              "too many sign-in attempts from "
                  + source.getHostAddress()
                  + ": try again in "
                  + wait
                  + " s"));
      return;
    }
    if (!token.get().matches(exchange.getRequestHeaders().getFirst(Headers.AUTHORIZATION))) {
      LOG.warning("console sign-in from " + source.getHostAddress() + " refused: wrong token");
      AdminServer.json(
          exchange,
          401,
          AdminServer.error("wrong admin token (it is in the file admin.tokenFile names)"));
      return;
    }
    Cookie sent = exchange.getRequestCookie(COOKIE);
    if (sent != null) {
      sessions.close(sent.getValue());
    }
    Sessions.Session s = sessions.open();
    setCookie(exchange, s.id(), Sessions.ABSOLUTE.toSeconds());
    AdminServer.json(exchange, 200, describe(s));
  }

  /** {@code GET /session}: the page asks whether it is signed in, and for its CSRF token. */
  void describe(HttpServerExchange exchange) {
    Sessions.Session s = session(exchange);
    if (s == null) {
      AdminServer.json(exchange, 401, AdminServer.error("not signed in"));
      return;
    }
    AdminServer.json(exchange, 200, describe(s));
  }

  /** {@code DELETE /session} (checked as a state change by the caller). */
  void signOut(HttpServerExchange exchange) {
    Cookie c = exchange.getRequestCookie(COOKIE);
    boolean was = c != null && sessions.close(c.getValue());
    setCookie(exchange, "", 0);
    AdminServer.json(
        exchange, 200, new JsonText().beginObject().field("signedOut", was).endObject().toString());
  }

  private String describe(Sessions.Session s) {
    return new JsonText()
        .beginObject()
        .field("csrf", s.csrf())
        .field("secondsLeft", sessions.secondsLeft(s))
        .field("idleSeconds", Sessions.IDLE.toSeconds())
        .endObject()
        .toString();
  }

  private static void setCookie(HttpServerExchange exchange, String value, long maxAge) {
    exchange
        .getResponseHeaders()
        .add(
            HttpString.tryFromString("Set-Cookie"),
            COOKIE + "=" + value + "; Max-Age=" + maxAge + "; Path=/; HttpOnly; SameSite=Strict");
  }
}
