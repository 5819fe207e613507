package io.wssguard.admin;

import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;
import io.undertow.util.HttpString;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The console's files, served by the admin listener without a token (they hold no data: the page
 * asks for everything after sign-in). A fixed list read from the jar once at start, so no request
 * path ever reaches a file name. Each answer carries the headers that keep the page to itself:
 *
 * <ul>
 *   <li>a Content-Security-Policy that allows scripts, styles, images and requests from this
 *       listener only, no inline script or style, no plug-ins, no framing, no {@code <base>}, forms
 *       posting only here ({@link #CSP});
 *   <li>{@code X-Frame-Options: DENY} too (clickjacking, for browsers without frame-ancestors),
 *       {@code X-Content-Type-Options: nosniff}, {@code Referrer-Policy: no-referrer}, and
 *       cross-origin isolation of the window and the files.
 * </ul>
 *
 * The charts are uPlot (a small maintained library, taken as a WebJar Maven dependency and served
 * from here, so the console works offline and no Node build is needed).
 */
final class ConsolePages implements HttpHandler {
  static final String CSP =
      "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:;"
          + " connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

  private static final String UPLOT = "/META-INF/resources/webjars/uplot/1.6.30/dist/";

  /** A file's bytes (read-only: every answer wraps the same ones) and its media type. */
  private record File(ByteBuffer bytes, String type) {}

  private final Map<String, File> files = new LinkedHashMap<>();

  ConsolePages() {
    add("/", "/io/wssguard/console/index.html", "text/html; charset=utf-8");
    add("/console/console.js", "/io/wssguard/console/console.js", "text/javascript; charset=utf-8");
    add("/console/console.css", "/io/wssguard/console/console.css", "text/css; charset=utf-8");
    add("/console/icon.svg", "/io/wssguard/console/icon.svg", "image/svg+xml");
    add("/console/uPlot.js", UPLOT + "uPlot.iife.min.js", "text/javascript; charset=utf-8");
    add("/console/uPlot.css", UPLOT + "uPlot.min.css", "text/css; charset=utf-8");
  }

  private void add(String path, String resource, String type) {
    try (InputStream in = ConsolePages.class.getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException("the console's " + resource + " is missing from the jar");
      }
      files.put(path, new File(ByteBuffer.wrap(in.readAllBytes()).asReadOnlyBuffer(), type));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The paths served (for routing). */
  Iterable<String> paths() {
    return files.keySet();
  }

  @Override
  public void handleRequest(HttpServerExchange exchange) {
    File f = files.get(exchange.getRelativePath());
    if (f == null) { // routing sends only the listed paths here
      exchange.setStatusCode(404);
      exchange.endExchange();
      return;
    }
    secure(exchange);
    exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, f.type());
    exchange.getResponseHeaders().put(Headers.CACHE_CONTROL, "no-cache");
    exchange.getResponseSender().send(f.bytes().duplicate());
  }

  /** The page's security headers (also on the API's answers to the page). */
  static void secure(HttpServerExchange exchange) {
    var h = exchange.getResponseHeaders();
    h.put(HttpString.tryFromString("Content-Security-Policy"), CSP);
    h.put(HttpString.tryFromString("X-Content-Type-Options"), "nosniff");
    h.put(HttpString.tryFromString("X-Frame-Options"), "DENY");
    h.put(HttpString.tryFromString("Referrer-Policy"), "no-referrer");
    h.put(HttpString.tryFromString("Cross-Origin-Opener-Policy"), "same-origin");
    h.put(HttpString.tryFromString("Cross-Origin-Resource-Policy"), "same-origin");
  }
}
