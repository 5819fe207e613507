package io.wssguard.admin;

import io.undertow.Undertow;
import io.undertow.UndertowOptions;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;
import io.undertow.util.Methods;
import io.wssguard.ban.Bans;
import io.wssguard.config.AdminConfig;
import io.wssguard.net.Cidr;
import io.wssguard.observe.JsonText;
import io.wssguard.observe.Observability;
import io.wssguard.observe.PolicyReloads;
import io.wssguard.observe.RouteMeter;
import io.wssguard.observe.TopSources;
import io.wssguard.policy.PolicySet;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.Deque;
import java.util.List;
import java.util.Locale;
import java.util.function.Supplier;

/**
 * The admin listener: a small Undertow HTTP server of its own (one IO thread, two workers), apart
 * from the proxy's listeners and worker, serving {@code /metrics} (Prometheus text) and a JSON
 * admin API ({@code /status}, {@code /top}, {@code /bans}, {@code /reload}; docs/OBSERVABILITY.md).
 *
 * <p>With a token file every request needs {@code Authorization: Bearer <token>} (compared in
 * constant time), 401 otherwise; the configuration refuses a non-loopback bind without one.
 * Requests run on the worker threads, never on an IO thread of the proxy.
 */
public final class AdminServer implements HttpHandler, AutoCloseable {
  private static final int MAX_BODY = 8 * 1024;

  private final Observability observe;
  private final List<String> listeners;
  private final Supplier<PolicySet> policies;
  private final byte[] token;
  private final Undertow undertow;
  private final String url;

  private AdminServer(
      AdminConfig config,
      Observability observe,
      List<String> listeners,
      Supplier<PolicySet> policies,
      byte[] token) {
    this.observe = observe;
    this.listeners = listeners;
    this.policies = policies;
    this.token = token;
    InetSocketAddress bind = config.bind();
    this.undertow =
        Undertow.builder()
            .addHttpListener(bind.getPort(), bind.getAddress().getHostAddress())
            .setIoThreads(1)
            .setWorkerThreads(2)
            .setServerOption(UndertowOptions.ENABLE_HTTP2, false)
            .setServerOption(UndertowOptions.MAX_ENTITY_SIZE, (long) MAX_BODY)
            .setHandler(this)
            .build();
    try {
      undertow.start();
    } catch (RuntimeException e) {
      undertow.stop();
      throw e;
    }
    InetSocketAddress bound = (InetSocketAddress) undertow.getListenerInfo().get(0).getAddress();
    String host = bound.getAddress().getHostAddress();
    this.url =
        "http://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + bound.getPort() + "/";
  }

  public static AdminServer start(
      AdminConfig config,
      Observability observe,
      List<String> listeners,
      Supplier<PolicySet> policies)
      throws IOException {
    byte[] token = null;
    if (config.tokenFile() != null) {
      String text = Files.readString(config.tokenFile(), StandardCharsets.UTF_8).strip();
      if (text.isEmpty()) {
        throw new IOException("admin token file " + config.tokenFile() + " is empty");
      }
      token = text.getBytes(StandardCharsets.UTF_8);
    }
    try {
      return new AdminServer(config, observe, List.copyOf(listeners), policies, token);
    } catch (RuntimeException e) {
      Throwable cause = e.getCause() != null ? e.getCause() : e;
      throw new IOException(
          "admin listener cannot listen on "
              + config.bind().getAddress().getHostAddress()
              + ":"
              + config.bind().getPort()
              + ": "
              + cause.getMessage(),
          e);
    }
  }

  public String url() {
    return url;
  }

  @Override
  public void close() {
    undertow.stop();
  }

  @Override
  public void handleRequest(HttpServerExchange exchange) throws Exception {
    if (exchange.isInIoThread()) {
      exchange.dispatch(this);
      return;
    }
    if (!authorized(exchange)) {
      exchange.getResponseHeaders().put(Headers.WWW_AUTHENTICATE, "Bearer realm=\"wssguard\"");
      json(exchange, 401, error("a valid 'Authorization: Bearer <token>' header is required"));
      return;
    }
    String path = exchange.getRequestPath();
    boolean get = exchange.getRequestMethod().equals(Methods.GET);
    boolean post = exchange.getRequestMethod().equals(Methods.POST);
    switch (path) {
      case "/metrics" -> {
        if (get) {
          exchange
              .getResponseHeaders()
              .put(Headers.CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8");
          exchange.getResponseSender().send(observe.metrics().scrape());
        } else {
          notAllowed(exchange, "GET");
        }
      }
      case "/status" -> {
        if (get) {
          json(exchange, 200, status());
        } else {
          notAllowed(exchange, "GET");
        }
      }
      case "/top" -> {
        if (get) {
          top(exchange);
        } else {
          notAllowed(exchange, "GET");
        }
      }
      case "/bans" -> {
        if (get) {
          json(exchange, 200, bans());
        } else if (post) {
          addBan(exchange);
        } else {
          notAllowed(exchange, "GET, POST");
        }
      }
      case "/reload" -> {
        if (post) {
          reload(exchange);
        } else {
          notAllowed(exchange, "POST");
        }
      }
      default -> {
        if (path.startsWith("/bans/")) {
          if (exchange.getRequestMethod().equals(Methods.DELETE)) {
            removeBan(exchange, path.substring("/bans/".length()));
          } else {
            notAllowed(exchange, "DELETE");
          }
        } else {
          json(
              exchange,
              404,
              error("no such endpoint (expected: /metrics, /status, /top, /bans, /reload)"));
        }
      }
    }
  }

  private boolean authorized(HttpServerExchange exchange) {
    if (token == null) {
      return true;
    }
    String header = exchange.getRequestHeaders().getFirst(Headers.AUTHORIZATION);
    if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
      return false;
    }
    byte[] given = header.substring(7).strip().getBytes(StandardCharsets.UTF_8);
    return MessageDigest.isEqual(given, token);
  }

  // ---- endpoints ----

  private String status() {
    JsonText j =
        new JsonText()
            .beginObject()
            .field("version", version())
            .field("started", observe.started().toString())
            .field("uptimeSeconds", Duration.between(observe.started(), Instant.now()).toSeconds())
            .field("admin", url);
    j.key("listeners").beginArray();
    listeners.forEach(j::value);
    j.endArray();
    j.key("routes").beginArray();
    for (RouteMeter r : observe.metrics().routes()) {
      j.beginObject()
          .field("route", r.label())
          .field("openConnections", r.openConnections())
          .endObject();
    }
    j.endArray();
    PolicySet set = policies.get();
    j.key("policies").beginObject().key("names").beginArray();
    set.policies().keySet().forEach(j::value);
    j.endArray().key("files").beginArray();
    for (PolicySet.SourceFile f : set.files()) {
      j.beginObject().field("path", f.path().toString()).field("sha256", f.sha256()).endObject();
    }
    j.endArray();
    PolicyReloads reloads = observe.reloads();
    if (reloads != null) {
      j.field("reloadsApplied", reloads.appliedCount())
          .field("reloadsFailed", reloads.failedCount())
          .field("lastReloadError", reloads.lastError());
    }
    j.endObject();
    j.field("activeBans", observe.bans().active().size());
    return j.endObject().toString();
  }

  private void top(HttpServerExchange exchange) {
    String by = query(exchange, "by", "messages");
    TopSources table =
        switch (by) {
          case "messages" -> observe.topMessages();
          case "violations" -> observe.topViolations();
          default -> null;
        };
    if (table == null) {
      json(exchange, 400, error("by: '" + by + "' (expected: messages or violations)"));
      return;
    }
    String nText = query(exchange, "n", "10");
    int n;
    try {
      n = Integer.parseInt(nText);
    } catch (NumberFormatException e) {
      n = -1;
    }
    if (n < 1 || n > 100) {
      json(exchange, 400, error("n: '" + nText + "' (expected: integer 1..100)"));
      return;
    }
    JsonText j = new JsonText().beginObject().field("by", by).key("sources").beginArray();
    for (TopSources.Entry e : table.top(n)) {
      j.beginObject()
          .field("source", e.source())
          .field("count", e.count())
          .field("maxOvercount", e.error())
          .endObject();
    }
    json(exchange, 200, j.endArray().endObject().toString());
  }

  private String bans() {
    JsonText j = new JsonText().beginObject().key("bans").beginArray();
    for (Bans.Entry b : observe.bans().active()) {
      j.beginObject()
          .field("target", b.target().toString())
          .field("until", b.until().toString())
          .field("reason", b.reason())
          .endObject();
    }
    return j.endArray().endObject().toString();
  }

  private void addBan(HttpServerExchange exchange) throws IOException {
    BanRequest request;
    try {
      request = BanRequest.parse(readBody(exchange));
    } catch (IllegalArgumentException e) {
      json(exchange, 400, error(e.getMessage()));
      return;
    }
    Cidr target = request.target();
    Duration duration = request.duration();
    String reason = request.reason();
    observe.bans().ban(target.network(), target.prefix(), duration, reason, List.of("admin API"));
    observe.events().banned(target.toString(), null, duration, reason, "admin");
    json(
        exchange,
        201,
        new JsonText()
            .beginObject()
            .field("target", target.toString())
            .field("forSeconds", duration.toSeconds())
            .field("reason", reason)
            .endObject()
            .toString());
  }

  private void removeBan(HttpServerExchange exchange, String text) {
    String cidr = text.replace("%2F", "/").replace("%2f", "/");
    Cidr target;
    try {
      target = Cidr.parse(cidr);
    } catch (IllegalArgumentException e) {
      json(exchange, 400, error("'" + cidr + "' (" + e.getMessage() + ")"));
      return;
    }
    if (!observe.bans().unban(target)) {
      json(exchange, 404, error("no ban on " + target));
      return;
    }
    observe.events().unbanned(target.toString(), "admin");
    json(
        exchange,
        200,
        new JsonText().beginObject().field("unbanned", target.toString()).endObject().toString());
  }

  private void reload(HttpServerExchange exchange) {
    PolicyReloads reloads = observe.reloads();
    if (reloads == null) {
      json(exchange, 503, error("no policy reloader in this process"));
      return;
    }
    boolean applied = reloads.reload("admin API");
    JsonText j = new JsonText().beginObject().field("applied", applied);
    if (!applied) {
      j.field("error", reloads.lastError() == null ? "nothing to reload" : reloads.lastError());
    }
    json(exchange, applied ? 200 : 409, j.endObject().toString());
  }

  // ---- helpers ----

  private static String readBody(HttpServerExchange exchange) throws IOException {
    exchange.startBlocking();
    try (InputStream in = exchange.getInputStream()) {
      byte[] bytes = in.readNBytes(MAX_BODY + 1);
      if (bytes.length > MAX_BODY) {
        throw new IllegalArgumentException("body over " + MAX_BODY + " bytes");
      }
      return new String(bytes, StandardCharsets.UTF_8);
    }
  }

  private static String query(HttpServerExchange exchange, String name, String otherwise) {
    Deque<String> values = exchange.getQueryParameters().get(name);
    return values == null || values.isEmpty()
        ? otherwise
        : values.getFirst().toLowerCase(Locale.ROOT);
  }

  private static void notAllowed(HttpServerExchange exchange, String allow) {
    exchange.getResponseHeaders().put(Headers.ALLOW, allow);
    json(exchange, 405, error("method not allowed (expected: " + allow + ")"));
  }

  private static String error(String message) {
    return new JsonText().beginObject().field("error", message).endObject().toString();
  }

  private static void json(HttpServerExchange exchange, int status, String body) {
    exchange.setStatusCode(status);
    exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, "application/json");
    exchange.getResponseHeaders().put(Headers.CACHE_CONTROL, "no-store");
    exchange.getResponseSender().send(body + "\n");
  }

  private static String version() {
    String v = AdminServer.class.getPackage().getImplementationVersion();
    return v == null ? "development" : v;
  }
}
