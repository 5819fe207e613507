package io.wssguard.limit;

import io.wssguard.net.Cidr;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * A route's policy applied to a handshake, in two steps, on the facts of the request alone: the
 * proxy hands it a live request ({@code server.PolicyAdmission}), {@code wssguard policy replay} a
 * recorded one, so the two cannot disagree.
 *
 * <p>{@link #screen} runs for every request, well-formed or not, before anything else is answered:
 * who the client is (believing {@code X-Forwarded-For} only from trusted proxies), whether it is
 * banned (also on a route with {@code policy: off}), and its per-source handshake rate. {@link
 * #admit} runs for well-formed handshakes after routing and before a backend is dialed: allow and
 * deny lists, the handshake rules and the per-source connection count. A refusal is reported to the
 * {@link Enforcer}'s events (and struck when the limit says so) and answered through a {@link
 * Refusal}; in monitor mode it is only reported.
 */
public final class HandshakeAdmission {

  /** The facts of one request that a policy tests. */
  public interface Request {
    /** The TCP peer (or the address a PROXY header named). */
    InetAddress peer();

    /** The {@code X-Forwarded-For} values, each possibly a list; empty when absent. */
    List<String> forwardedFor();

    /** The size of the request line and headers. */
    int headerBlockBytes();

    /** Whether a header of this name (case-insensitive) is present. */
    boolean hasHeader(String name);

    /** The {@code Origin} values; empty when absent. */
    List<String> origins();
  }

  /** Answers a refused request: the proxy sends the HTTP error, replay sends nothing. */
  @FunctionalInterface
  public interface Refusal {
    void send(int status, String body);
  }

  /**
   * A request that may be answered: its source's counted state (null on a route without a policy)
   * and the client's address.
   */
  public record Screened(SourceBlocks blocks, InetAddress client) {
    /**
     * The client's own counted state (its address, or its IPv6 /64), null on {@code policy: off}.
     */
    public SourceState source() {
      return blocks == null ? null : blocks.own();
    }
  }

  /**
   * An admitted handshake: the client's counted state (null on a route without a policy), its
   * address, the subprotocols to forward.
   */
  public record Admitted(
      SourceState source, SourceBlocks blocks, InetAddress client, List<String> protocols) {}

  /** A handshake on a route with {@code policy: off}: nothing checked, nothing counted. */
  public static Admitted unchecked(Screened screened, List<String> offered) {
    return new Admitted(null, null, screened.client(), offered);
  }

  private final SourceTable sources;
  private final Enforcer enforcer;

  public HandshakeAdmission(SourceTable sources, Enforcer enforcer) {
    this.sources = sources;
    this.enforcer = enforcer;
  }

  public Enforcer enforcer() {
    return enforcer;
  }

  /**
   * Counts the request against its source under policy {@code p} (null: {@code policy: off}, only
   * bans apply); returns null after the refusal was sent.
   *
   * @param route the route's label for the events, or null before routing
   */
  public Screened screen(Request request, CompiledPolicy p, String route, Refusal answer) {
    if (p == null) {
      InetAddress peer = request.peer();
      if (enforcer.bans().isBanned(peer)) {
        enforcer.events().handshakeRejected(peer, route, "banned", 403, "banned");
        answer.send(403, "forbidden: banned");
        return null;
      }
      return new Screened(null, peer);
    }
    InetAddress client = clientAddress(request, p.access.trustedProxies());
    if (enforcer.bans().isBanned(client)) {
      if (refuse(answer, route, p, client, 403, "banned", null, null)) {
        return null;
      }
    }
    long now = enforcer.ticker().nanos();
    SourceBlocks blocks = SourceBlocks.lookUp(sources, client, p, now);
    Limit hs = blocks.takeHandshake(p, now);
    if (hs != null) {
      if (refuse(answer, route, p, client, 429, "handshake rate", hs, blocks.own())) {
        return null;
      }
    }
    return new Screened(blocks, client);
  }

  /**
   * A request the handshake gate refused ({@code reason} as in its rejection): a strike against its
   * source, as malformed requests are probes (not in monitor mode).
   */
  public void refusedByGate(Screened screened, CompiledPolicy p, String reason) {
    if (p != null && !p.monitor && screened.source() != null) {
      enforcer.strike(screened.source(), p, screened.client(), "handshake." + reason);
    }
  }

  /**
   * Applies the rest of the policy to a well-formed handshake for {@code path} (the request's one
   * path); returns the admission, or null after the refusal was sent.
   */
  public Admitted admit(
      Request request,
      CompiledPolicy p,
      Screened screened,
      String route,
      String path,
      List<String> offered,
      Refusal answer) {
    InetAddress client = screened.client();
    if (matches(p.access.deny(), client)
        || (!p.access.allow().isEmpty() && !matches(p.access.allow(), client))) {
      if (refuse(answer, route, p, client, 403, "address not allowed", null, null)) {
        return null;
      }
    }
    int maxHeader = p.handshake.maxHeaderBytes();
    if (maxHeader > 0 && request.headerBlockBytes() > maxHeader) {
      String why = "request header block over " + maxHeader + " bytes";
      if (refuse(answer, route, p, client, 431, why, null, null)) {
        return null;
      }
    }
    if (!p.pathPatterns.isEmpty() && !anyMatches(p.pathPatterns, path)) {
      if (refuse(answer, route, p, client, 403, "path not allowed", null, null)) {
        return null;
      }
    }
    for (String required : p.handshake.requiredHeaders()) {
      if (!request.hasHeader(required)) {
        if (refuse(answer, route, p, client, 403, "missing header " + required, null, null)) {
          return null;
        }
      }
    }
    if (!p.handshake.origins().isEmpty()
        && !originAllowed(p.handshake.origins(), request.origins())) {
      if (refuse(answer, route, p, client, 403, "origin not allowed", null, null)) {
        return null;
      }
    }
    List<String> protocols = offered;
    if (!p.handshake.subprotocols().isEmpty() && !offered.isEmpty()) {
      protocols = new ArrayList<>(offered);
      protocols.retainAll(p.handshake.subprotocols());
      if (protocols.isEmpty()) {
        if (refuse(answer, route, p, client, 403, "no allowed subprotocol offered", null, null)) {
          return null;
        }
        protocols = offered;
      }
    }
    SourceBlocks blocks = screened.blocks();
    SourceState source = blocks.own();
    Limit conns = blocks.openConnection(p);
    if (conns != null) {
      if (refuse(answer, route, p, client, 429, "too many connections", conns, source)) {
        return null;
      }
      blocks.openAnyway();
    }
    return new Admitted(source, blocks, client, protocols);
  }

  /** A connection admitted by {@link #admit} has ended. */
  public void release(Admitted admitted) {
    if (admitted.blocks() == null) {
      return;
    }
    admitted.blocks().close(sources);
  }

  /**
   * Reports the refusal (and its strike); returns whether the handshake was actually refused (not
   * in monitor mode), after answering it.
   */
  private boolean refuse(
      Refusal answer,
      String route,
      CompiledPolicy p,
      InetAddress client,
      int status,
      String why,
      Limit limit,
      SourceState source) {
    enforcer
        .events()
        .policyRefused(
            client,
            route,
            p.name(),
            p.monitor,
            limit != null ? limit.name() : limitOf(why),
            status,
            why);
    if (limit != null && limit.strike() && !p.monitor && source != null) {
      enforcer.strike(source, p, client, limit.name());
    }
    if (p.monitor) {
      return false;
    }
    answer.send(status, status == 429 ? "too many requests" : "forbidden: " + why);
    return true;
  }

  /**
   * The policy key behind a refusal that has no {@link Limit}, for the security log and metrics.
   */
  private static String limitOf(String why) {
    if (why.equals("banned")) {
      return "ban";
    } else if (why.equals("address not allowed")) {
      return "access";
    } else if (why.startsWith("request header block")) {
      return "handshake.maxHeaderBytes";
    } else if (why.startsWith("path")) {
      return "handshake.paths";
    } else if (why.startsWith("missing header")) {
      return "handshake.requiredHeaders";
    } else if (why.startsWith("origin")) {
      return "handshake.origins";
    } else if (why.startsWith("no allowed subprotocol")) {
      return "handshake.subprotocols";
    }
    return "handshake";
  }

  /**
   * The client's address: the peer, or — when the peer is a trusted proxy — the right-most address
   * in {@code X-Forwarded-For} that is not itself a trusted proxy. An unparseable entry stops the
   * walk.
   */
  public static InetAddress clientAddress(Request request, List<Cidr> trusted) {
    InetAddress peer = request.peer();
    if (trusted.isEmpty() || !matches(trusted, peer)) {
      return peer;
    }
    List<String> xff = request.forwardedFor();
    if (xff.isEmpty()) {
      return peer;
    }
    List<String> hops = new ArrayList<>();
    for (String v : xff) {
      for (String h : v.split(",", -1)) {
        // Empty list elements carry nothing (RFC 9110 section 5.6.1).
        if (!h.isBlank()) {
          hops.add(h.trim());
        }
      }
    }
    InetAddress client = peer;
    for (int i = hops.size() - 1; i >= 0; i--) {
      InetAddress hop = literal(hops.get(i));
      if (hop == null) {
        break;
      }
      client = hop;
      if (!matches(trusted, hop)) {
        break;
      }
    }
    return client;
  }

  /**
   * An address literal, never a DNS lookup (host names are not addresses): IPv4, IPv6, bracketed
   * IPv6, and IPv4 or bracketed IPv6 followed by a port ({@code 192.0.2.1:4711}, {@code
   * [2001:db8::1]:4711}), as some load balancers write them; the port is not part of the client.
   * Null for anything else.
   */
  static InetAddress literal(String hop) {
    if (hop.startsWith("[")) {
      int close = hop.indexOf(']');
      if (close < 2) {
        return null;
      }
      String after = hop.substring(close + 1);
      boolean port = after.startsWith(":") && isPort(after.substring(1));
      if (!after.isEmpty() && !port) {
        return null;
      }
      return Cidr.address(hop.substring(1, close));
    }
    int colon = hop.indexOf(':');
    // One colon is IPv4 with a port; an IPv6 literal has at least two.
    if (colon >= 0 && colon == hop.lastIndexOf(':')) {
      return isPort(hop.substring(colon + 1)) ? Cidr.address(hop.substring(0, colon)) : null;
    }
    return Cidr.address(hop);
  }

  /** 1 to 65535 in decimal, without a sign or leading zeros. */
  private static boolean isPort(String s) {
    if (s.isEmpty() || s.length() > 5 || s.charAt(0) == '0') {
      return false;
    }
    for (int i = 0; i < s.length(); i++) {
      if (s.charAt(i) < '0' || s.charAt(i) > '9') {
        return false;
      }
    }
    return Integer.parseInt(s) <= 65_535;
  }

  private static boolean anyMatches(List<Pattern> patterns, String path) {
    for (Pattern p : patterns) {
      if (p.matcher(path).matches()) {
        return true;
      }
    }
    return false;
  }

  public static boolean matches(List<Cidr> blocks, InetAddress address) {
    for (Cidr c : blocks) {
      if (c.contains(address)) {
        return true;
      }
    }
    return false;
  }

  /**
   * Exact origins, or {@code scheme://*.domain[:port]} matching one or more labels before the
   * domain; a request must carry exactly one {@code Origin}.
   */
  static boolean originAllowed(List<String> allowed, List<String> origin) {
    if (origin.size() != 1) {
      return false;
    }
    String o = origin.get(0).trim().toLowerCase(Locale.ROOT);
    for (String a : allowed) {
      String pattern = a.toLowerCase(Locale.ROOT);
      int star = pattern.indexOf("://*.");
      if (star < 0) {
        if (o.equals(pattern)) {
          return true;
        }
      } else {
        String scheme = pattern.substring(0, star + 3);
        String suffix = pattern.substring(star + 4); // ".example.com[:port]"
        if (o.startsWith(scheme)
            && o.endsWith(suffix)
            && o.length() > scheme.length() + suffix.length()
            && o.indexOf('/', scheme.length()) < 0) {
          return true;
        }
      }
    }
    return false;
  }
}
