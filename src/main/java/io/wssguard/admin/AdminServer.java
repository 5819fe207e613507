package io.wssguard.admin;

import io.undertow.Undertow;
import io.undertow.UndertowOptions;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.server.RequestTooBigException;
import io.undertow.server.RoutingHandler;
import io.undertow.util.AttachmentKey;
import io.undertow.util.Headers;
import io.undertow.util.HttpString;
import io.undertow.util.Methods;
import io.undertow.util.PathTemplateMatcher;
import io.wssguard.ban.Ban;
import io.wssguard.ban.BanOutcome;
import io.wssguard.config.AdminConfig;
import io.wssguard.config.RouteConfig;
import io.wssguard.console.ConsoleViews;
import io.wssguard.console.History;
import io.wssguard.console.Sessions;
import io.wssguard.console.SourceLookup;
import io.wssguard.net.Cidr;
import io.wssguard.observe.FleetView;
import io.wssguard.observe.JsonText;
import io.wssguard.observe.Observability;
import io.wssguard.observe.PolicyReloads;
import io.wssguard.observe.ReloadOutcome;
import io.wssguard.observe.RouteMeter;
import io.wssguard.observe.TopSources;
import io.wssguard.policy.PolicySet;
import io.wssguard.quantity.Quantities;
import io.wssguard.time.Ticker;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.LongFunction;
import java.util.function.Supplier;
import org.xnio.IoUtils;
import org.xnio.Options;

/**
 * The admin listener: a small Undertow HTTP server of its own (one IO thread, a few workers), apart
 * from the proxy's listeners and worker, serving {@code /metrics} (Prometheus text), {@code
 * /healthz}, {@code /ready} and a JSON admin API ({@code /status}, {@code /top}, {@code /bans},
 * {@code /reload}; docs/OBSERVABILITY.md) and the security console at {@code /} (its views {@code
 * /overview}, {@code /sources}, {@code /policies}, {@code /events}, its sign-in {@code /session};
 * docs/CONSOLE.md).
 *
 * <p>The listener is treated as hostile-facing even on loopback, since every web page the
 * operator's browser opens can reach it. So, in this order:
 *
 * <ol>
 *   <li>a {@code Host} that does not name this listener gets 421 ({@link AdminHosts}: DNS
 *       rebinding);
 *   <li>Undertow's {@link RoutingHandler} picks the endpoint: 404 for an unknown path, 405 with
 *       {@code Allow} for a method the path does not take;
 *   <li>every endpoint needs {@code Authorization: Bearer <token>} ({@link AdminToken}, compared in
 *       constant time), or the console's session cookie ({@link ConsoleSignIn}: with its CSRF token
 *       on state changes), 401 otherwise; only {@code /metrics}, {@code /healthz} and {@code
 *       /ready} on a loopback bind are open (Prometheus and health checkers; they carry no
 *       addresses), and the console's files ({@link ConsolePages}; no data in them);
 *   <li>a state-changing request needs {@code Content-Type: application/json}, 415 otherwise: a
 *       cross-site form can only send the simple types, so it never gets this far;
 *   <li>a body is read strictly ({@link BanRequest}), 400 with the reason otherwise.
 * </ol>
 *
 * <p>Bodies are received asynchronously on the IO thread and handed to a worker only when complete,
 * and the socket has a read timeout: a client that sends headers and then stalls holds neither a
 * worker nor the listener, so {@code /metrics} answers whatever such clients do. Work runs on the
 * admin workers, never on an IO thread of the proxy.
 */
public final class AdminServer implements AutoCloseable {
  static final int MAX_BODY = 8 * 1024;

  /** A request head, or the next bytes of a body, must arrive within this. */
  static final int READ_TIMEOUT_MILLIS = 5_000;

  private static final int WORKERS = 4;

  /** The console session a request was let in with (none: the bearer token). */
  private static final AttachmentKey<Sessions.Session> SESSION =
      AttachmentKey.create(Sessions.Session.class);

  /** Whether the proxy can take traffic: empty when it can, else why not (for {@code /ready}). */
  @FunctionalInterface
  public interface Readiness {
    Optional<String> notReadyBecause();
  }

  /** A handler given the complete request body. */
  @FunctionalInterface
  private interface BodyHandler {
    void handle(HttpServerExchange exchange, byte[] body) throws Exception;
  }

  private final Observability observe;
  private final Supplier<List<String>> listeners;
  private final Supplier<PolicySet> policies;
  private final Readiness readiness;
  private final boolean loopback;

  /** Replaced whole by a reload ({@link #reconfigure}); the address never changes. */
  private volatile AdminToken token;

  private volatile AdminConfig.WidestBan widest;
  private final Map<String, Set<String>> methodsByPath = new LinkedHashMap<>();
  private final PathTemplateMatcher<Set<String>> allowed = new PathTemplateMatcher<>();
  private final Undertow undertow;
  private final String url;
  private final ConsoleSignIn console;
  private final History history;

  /** Set once the listener is bound (port 0 is chosen then); requests before that get 503. */
  private volatile AdminHosts hosts;

  private AdminServer(
      AdminConfig config,
      Observability observe,
      Supplier<List<String>> listeners,
      Supplier<PolicySet> policies,
      Readiness readiness,
      AdminToken token,
      Supplier<List<RouteConfig>> routeConfigs,
      SourceLookup sources) {
    this.observe = observe;
    this.listeners = listeners;
    this.policies = policies;
    this.readiness = readiness;
    this.token = token;
    this.widest = config.widestBan();
    InetSocketAddress bind = config.bind();
    this.loopback = bind.getAddress().isLoopbackAddress();

    RoutingHandler routes = new RoutingHandler(false);
    route(routes, Methods.GET, "/metrics", open(onWorker(this::metrics)));
    route(routes, Methods.GET, "/healthz", open(e -> json(e, 200, "{\"alive\":true}")));
    route(routes, Methods.GET, "/ready", open(onWorker(this::ready)));
    route(routes, Methods.GET, "/status", guarded(onWorker(e -> json(e, 200, status()))));
    route(routes, Methods.GET, "/top", guarded(onWorker(this::top)));
    route(routes, Methods.GET, "/bans", guarded(onWorker(e -> json(e, 200, bans()))));
    route(routes, Methods.POST, "/bans", guarded(jsonOnly(withBody(this::addBan))));
    route(routes, Methods.DELETE, "/bans/*", guarded(jsonOnly(onWorker(this::removeBan))));
    route(routes, Methods.POST, "/reload", guarded(jsonOnly(onWorker(this::reload))));
    // The console: its files (open), its sign-in, and its views (like every other endpoint).
    this.console = new ConsoleSignIn(Ticker.system(), () -> this.token);
    ConsolePages pages = new ConsolePages();
    pages.paths().forEach(path -> route(routes, Methods.GET, path, pages));
    route(routes, Methods.GET, "/session", onWorker(console::describe));
    route(routes, Methods.POST, "/session", jsonOnly(onWorker(console::signIn)));
    route(routes, Methods.DELETE, "/session", guarded(jsonOnly(onWorker(console::signOut))));
    this.history = History.start(observe);
    ConsoleViews views = new ConsoleViews(observe, history, routeConfigs, policies, sources);
    route(routes, Methods.GET, "/overview", guarded(onWorker(numbered("since", views::overview))));
    route(routes, Methods.GET, "/sources", guarded(onWorker(e -> json(e, 200, views.sources(20)))));
    route(routes, Methods.GET, "/policies", guarded(onWorker(e -> json(e, 200, views.policies()))));
    route(routes, Methods.GET, "/events", guarded(onWorker(numbered("after", views::events))));
    methodsByPath.forEach(allowed::add);
    routes.setFallbackHandler(
        e ->
            json(
                e,
                404,
                error(
                    "no such endpoint: "
                        + clip(e.getRequestPath())
                        + " (expected one of: /metrics, /healthz, /ready, /status, /top, /bans,"
                        + " /bans/<target>, /reload, /session, /overview, /sources, /policies,"
                        + " /events, or the console at /)")));
    routes.setInvalidMethodHandler(this::notAllowed);

    this.undertow =
        Undertow.builder()
            .addHttpListener(bind.getPort(), bind.getAddress().getHostAddress())
            .setIoThreads(1)
            .setWorkerThreads(WORKERS)
            .setServerOption(UndertowOptions.ENABLE_HTTP2, false)
            .setServerOption(UndertowOptions.MAX_ENTITY_SIZE, (long) MAX_BODY)
            .setServerOption(UndertowOptions.MAX_HEADER_SIZE, 16 * 1024)
            .setServerOption(UndertowOptions.REQUEST_PARSE_TIMEOUT, READ_TIMEOUT_MILLIS)
            .setServerOption(UndertowOptions.NO_REQUEST_TIMEOUT, 6 * READ_TIMEOUT_MILLIS)
            .setSocketOption(Options.READ_TIMEOUT, READ_TIMEOUT_MILLIS)
            .setHandler(e -> hostChecked(e, routes))
            .build();
    try {
      undertow.start();
    } catch (RuntimeException e) {
      undertow.stop();
      history.close();
      throw e;
    }
    InetSocketAddress bound = (InetSocketAddress) undertow.getListenerInfo().get(0).getAddress();
    this.hosts = new AdminHosts(bound, config.hostNames());
    String host = bound.getAddress().getHostAddress();
    this.url =
        "http://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + bound.getPort() + "/";
  }

  /**
   * Starts the admin listener; reads its token file, generating it first when it does not exist and
   * the configuration says so ({@code generateToken}).
   *
   * @param listeners the URLs of the proxy's listeners now, for {@code /status}
   * @param readiness what {@code /ready} reports
   * @param routes the routes now, for the console's policies
   * @param sources the proxy's per-source state, for the console's top sources
   * @throws AdminTokenException the token file is missing or unusable
   * @throws IOException the address cannot be bound
   */
  public static AdminServer start(
      AdminConfig config,
      Observability observe,
      Supplier<List<String>> listeners,
      Supplier<PolicySet> policies,
      Readiness readiness,
      Supplier<List<RouteConfig>> routes,
      SourceLookup sources)
      throws IOException {
    AdminToken token = AdminToken.load(config.tokenFile(), config.generateToken());
    try {
      return new AdminServer(
          config, observe, listeners, policies, readiness, token, routes, sources);
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

  /**
   * A reloaded configuration's token (read by the caller with {@link AdminToken#load} before
   * anything was swapped), host names and widest ban, from the next request on. The bind address is
   * not taken from {@code config}: moving the listener needs a restart.
   */
  public void reconfigure(AdminConfig config, AdminToken token) {
    AdminHosts h = hosts;
    if (h != null) {
      hosts = new AdminHosts(h.bound(), config.hostNames());
    }
    this.widest = config.widestBan();
    AdminToken old = this.token;
    this.token = token;
    if (!token.sameAs(old)) {
      console.tokenChanged();
    }
  }

  @Override
  public void close() {
    undertow.stop();
    history.close();
  }

  // ---- the guards, outermost first ----

  private void hostChecked(HttpServerExchange exchange, HttpHandler next) throws Exception {
    AdminHosts h = hosts;
    if (h == null) {
      json(exchange, 503, error("the admin listener is starting"));
      return;
    }
    var values = exchange.getRequestHeaders().get(Headers.HOST);
    String host = values == null || values.size() != 1 ? null : values.getFirst();
    if (!h.allows(host, exchange.getDestinationAddress())) {
      json(
          exchange,
          421,
          error(
              "Host: "
                  + (host == null ? "(none or several)" : "'" + clip(host) + "'")
                  + " is not this admin listener (expected: its address and port, e.g. "
                  + url.substring("http://".length(), url.length() - 1)
                  + (loopback ? ", or localhost:" + h.port() : "")
                  + ", or a name in admin.hostNames)"));
      return;
    }
    next.handleRequest(exchange);
  }

  private void route(RoutingHandler routes, HttpString method, String path, HttpHandler handler) {
    routes.add(method, path, handler);
    methodsByPath.computeIfAbsent(path, p -> new LinkedHashSet<>()).add(method.toString());
  }

  /** Open without a token on a loopback bind; elsewhere like every other endpoint. */
  private HttpHandler open(HttpHandler next) {
    return loopback ? next : guarded(next);
  }

  /**
   * The bearer token (tools), else the console's session cookie, whose state changes must also
   * carry its CSRF token and come from its own page.
   */
  private HttpHandler guarded(HttpHandler next) {
    return exchange -> {
      String authorization = exchange.getRequestHeaders().getFirst(Headers.AUTHORIZATION);
      if (authorization == null && ConsoleSignIn.hasCookie(exchange)) {
        Sessions.Session session = console.session(exchange);
        if (session == null) {
          json(exchange, 401, error("the console session has ended: sign in again"));
          return;
        }
        String refusal = ConsoleSignIn.refusal(exchange, session);
        if (refusal != null) {
          json(exchange, 403, error(refusal));
          return;
        }
        exchange.putAttachment(SESSION, session);
        next.handleRequest(exchange);
        return;
      }
      if (!token.matches(authorization)) {
        exchange.getResponseHeaders().put(Headers.WWW_AUTHENTICATE, "Bearer realm=\"wssguard\"");
        json(exchange, 401, error("a valid 'Authorization: Bearer <token>' header is required"));
        return;
      }
      next.handleRequest(exchange);
    };
  }

  private static HttpHandler jsonOnly(HttpHandler next) {
    return exchange -> {
      String type = exchange.getRequestHeaders().getFirst(Headers.CONTENT_TYPE);
      String media = type == null ? "" : type.split(";", 2)[0].strip().toLowerCase(Locale.ROOT);
      if (!media.equals("application/json")) {
        exchange.getResponseHeaders().put(Headers.ACCEPT, "application/json");
        json(
            exchange,
            415,
            error(
                "Content-Type: "
                    + (type == null ? "(none)" : "'" + clip(type) + "'")
                    + " (expected: application/json)"));
        return;
      }
      next.handleRequest(exchange);
    };
  }

  /** Runs {@code next} on an admin worker. */
  private static HttpHandler onWorker(HttpHandler next) {
    return exchange -> {
      if (exchange.isInIoThread()) {
        exchange.dispatch(next);
      } else {
        next.handleRequest(exchange);
      }
    };
  }

  /**
   * Receives the whole body without blocking a thread (a stalled sender costs nothing but its
   * socket until the read timeout closes it), then runs {@code next} on a worker.
   */
  private static HttpHandler withBody(BodyHandler next) {
    return exchange -> {
      long declared = exchange.getRequestContentLength();
      if (declared > MAX_BODY) {
        tooBig(exchange, declared);
        return;
      }
      exchange
          .getRequestReceiver()
          .receiveFullBytes(
              (ex, body) -> ex.dispatch(() -> run(ex, body, next)),
              (ex, e) -> {
                if (e instanceof RequestTooBigException) {
                  tooBig(ex, -1);
                } else {
                  IoUtils.safeClose(ex.getConnection());
                }
              });
    };
  }

  private static void run(HttpServerExchange exchange, byte[] body, BodyHandler next) {
    try {
      next.handle(exchange, body);
    } catch (Exception e) {
      json(exchange, 500, error("internal error: " + e));
    }
  }

  private static void tooBig(HttpServerExchange exchange, long declared) {
    exchange.setPersistent(false);
    json(
        exchange,
        413,
        error(
            "body: "
                + (declared < 0 ? "over " + MAX_BODY : String.valueOf(declared))
                + " bytes (expected: at most "
                + MAX_BODY
                + ")"));
  }

  private void notAllowed(HttpServerExchange exchange) {
    PathTemplateMatcher.PathMatchResult<Set<String>> m = allowed.match(exchange.getRelativePath());
    String allow = m == null ? "" : String.join(", ", m.getValue());
    exchange.getResponseHeaders().put(Headers.ALLOW, allow);
    json(
        exchange,
        405,
        error(
            exchange.getRequestMethod()
                + " "
                + clip(exchange.getRequestPath())
                + ": method not allowed (expected: "
                + allow
                + ")"));
  }

  // ---- endpoints ----

  private void metrics(HttpServerExchange exchange) {
    exchange
        .getResponseHeaders()
        .put(Headers.CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8");
    exchange.getResponseHeaders().put(Headers.CACHE_CONTROL, "no-store");
    exchange.getResponseSender().send(observe.metrics().scrape());
  }

  private void ready(HttpServerExchange exchange) {
    Optional<String> why = readiness.notReadyBecause();
    JsonText j = new JsonText().beginObject().field("ready", why.isEmpty());
    why.ifPresent(reason -> j.field("reason", reason));
    json(exchange, why.isEmpty() ? 200 : 503, j.endObject().toString());
  }

  private String status() {
    JsonText j =
        new JsonText()
            .beginObject()
            .field("version", version())
            .field("started", observe.started().toString())
            .field("uptimeSeconds", Duration.between(observe.started(), Instant.now()).toSeconds())
            .field("admin", url);
    j.key("listeners").beginArray();
    listeners.get().forEach(j::value);
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
    AnomalyStatus.write(j, observe.anomalies());
    FleetView fleet = observe.fleet();
    if (fleet != null) {
      j.key("fleet");
      fleet.status(j);
    }
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
      json(exchange, 400, error("by: '" + clip(by) + "' (expected: messages or violations)"));
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
      json(exchange, 400, error("n: '" + clip(nText) + "' (expected: integer 1..100)"));
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
    for (Ban b : observe.bans().active()) {
      j.beginObject()
          .field("target", b.target().toString())
          .field("until", b.until().toString())
          .field("reason", b.reason());
      String origin = observe.bans().origin(b.target());
      if (origin != null) {
        j.field("origin", origin);
      }
      if (b.started() != null) {
        j.field("started", b.started().toString());
      }
      if (b.by() != null) {
        j.field("by", b.by());
      }
      j.endObject();
    }
    j.endArray();
    Observability.Kernel kernel = observe.kernel();
    if (kernel != null) {
      j.key("kernel")
          .beginObject()
          .field("backend", kernel.backend())
          .field("updates", kernel.updates().getAsLong())
          .field("failing", kernel.failing().getAsBoolean())
          .endObject();
    }
    return j.endObject().toString();
  }

  /**
   * {@code POST /bans}: 201 when a ban was made, 200 when it extended one, 409 when the target is
   * never banned, 400 for anything wrong with the request (nothing is banned then).
   */
  private void addBan(HttpServerExchange exchange, byte[] body) {
    BanRequest request;
    try {
      request = BanRequest.parse(body);
    } catch (BanRequest.Invalid e) {
      json(exchange, 400, error(e.getMessage()));
      return;
    }
    Cidr target;
    try {
      target = Cidr.parse(request.target());
    } catch (IllegalArgumentException e) {
      json(
          exchange,
          400,
          error("target: '" + clip(request.target()) + "' (" + e.getMessage() + ")"));
      return;
    }
    Optional<String> tooWide = widest.refusal(target);
    if (tooWide.isPresent()) {
      json(exchange, 400, error(tooWide.get()));
      return;
    }
    Duration duration;
    try {
      duration =
          Quantities.parseDuration(request.duration(), Duration.ofSeconds(1), Quantities.MAX_BAN);
    } catch (IllegalArgumentException e) {
      json(
          exchange, 400, error("for: '" + clip(request.duration()) + "' (" + e.getMessage() + ")"));
      return;
    }
    BanOutcome outcome =
        observe
            .bans()
            .ban(
                target.network(),
                target.prefix(),
                duration,
                request.reason(),
                List.of("admin API"),
                exchange.getAttachment(SESSION) != null ? "console" : "admin API");
    if (!outcome.banned()) {
      json(exchange, 409, error(outcome.refusal()));
      return;
    }
    observe.events().banned(target.toString(), null, duration, request.reason(), "admin");
    boolean made = outcome.kind() == BanOutcome.Kind.MADE;
    json(
        exchange,
        made ? 201 : 200,
        new JsonText()
            .beginObject()
            .field("target", target.toString())
            .field("outcome", made ? "made" : "extended")
            .field("until", outcome.ban().until().toString())
            .field("forSeconds", duration.toSeconds())
            .field("reason", request.reason())
            .endObject()
            .toString());
  }

  private void removeBan(HttpServerExchange exchange) {
    String text = exchange.getRelativePath().substring("/bans/".length());
    String cidr = text.replace("%2F", "/").replace("%2f", "/");
    Cidr target;
    try {
      target = Cidr.parse(cidr);
    } catch (IllegalArgumentException e) {
      json(exchange, 400, error("target: '" + clip(cidr) + "' (" + e.getMessage() + ")"));
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
    // Answered when the reload is over (on this admin worker), with its outcome.
    ReloadOutcome outcome = reloads.reloadNow("admin API");
    json(exchange, ReloadAnswer.status(outcome), ReloadAnswer.json(outcome));
  }

  // ---- helpers ----

  /** A view that takes a whole number {@code name} from the query (0 when absent), 400 if bad. */
  private static HttpHandler numbered(String name, LongFunction<String> view) {
    return exchange -> {
      String text = query(exchange, name, "0");
      long n;
      try {
        n = Long.parseLong(text);
      } catch (NumberFormatException e) {
        n = -1;
      }
      if (n < 0) {
        json(exchange, 400, error(name + ": '" + clip(text) + "' (expected: a whole number >= 0)"));
        return;
      }
      json(exchange, 200, view.apply(n));
    };
  }

  private static String query(HttpServerExchange exchange, String name, String otherwise) {
    Deque<String> values = exchange.getQueryParameters().get(name);
    return values == null || values.isEmpty()
        ? otherwise
        : values.getFirst().toLowerCase(Locale.ROOT);
  }

  /** Client text echoed in an answer, cut short. */
  static String clip(String text) {
    return text.length() <= 100 ? text : text.substring(0, 100) + "...";
  }

  static String error(String message) {
    return new JsonText().beginObject().field("error", message).endObject().toString();
  }

  static void json(HttpServerExchange exchange, int status, String body) {
    exchange.setStatusCode(status);
    exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, "application/json");
    exchange.getResponseHeaders().put(Headers.CACHE_CONTROL, "no-store");
    exchange
        .getResponseHeaders()
        .put(HttpString.tryFromString("X-Content-Type-Options"), "nosniff");
    exchange.getResponseSender().send(body + "\n");
  }

  private static String version() {
    String v = AdminServer.class.getPackage().getImplementationVersion();
    return v == null ? "development" : v;
  }
}
