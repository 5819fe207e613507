package io.wssguard.policy;

import io.wssguard.baseline.Measure;
import io.wssguard.baseline.RouteBaseline;
import io.wssguard.frame.CloseCodes;
import io.wssguard.net.Cidr;
import io.wssguard.quantity.Quantities;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A policy in plain English, one sentence per rule, for {@code wssguard policy explain}: what a
 * security reviewer should be able to read without knowing the file format. The status codes named
 * are the ones the records document (429 for per-IP refusals, 403 for access, 1008 for rates and
 * counts, 1009 for sizes). A banned source gets no answer at all: it is closed right after accept
 * (server/AcceptGate); only a client named by a trusted proxy's X-Forwarded-For, whose connection
 * is the proxy's, gets 403.
 */
public final class PolicyExplanation {
  private PolicyExplanation() {}

  /** The heading line and the indented sentences, each line ending in a newline. */
  public static String of(Policy policy) {
    StringBuilder out = new StringBuilder();
    out.append("Policy '")
        .append(policy.name())
        .append("' (")
        .append(policy.file())
        .append(':')
        .append(policy.line())
        .append(')')
        .append(policy.mode() == Mode.MONITOR ? ", monitor mode:" : ", enforced:")
        .append('\n');
    for (String sentence : sentences(policy)) {
      out.append("  ").append(sentence).append('\n');
    }
    return out.toString();
  }

  /** The sentences, in the order of the file format. */
  public static List<String> sentences(Policy policy) {
    List<String> s = new ArrayList<>();
    if (policy.mode() == Mode.MONITOR) {
      s.add(
          "Monitor mode: nothing is refused, dropped, throttled, closed or banned because of this policy; each time"
              + " a limit below would act, that is counted and logged instead.");
    }
    handshake(s, policy.handshake());
    perIp(s, policy.perIp());
    perConnection(s, policy.perConnection());
    access(s, policy.access());
    ipv6Blocks(s, policy);
    strikes(s, policy);
    anomalies(s, policy);
    return s;
  }

  private static void anomalies(List<String> s, Policy p) {
    for (AnomalyRule r : p.anomalies()) {
      String what =
          switch (r.response()) {
            case MONITOR -> "it is logged and counted";
            case STRIKE -> "the source gets a strike";
            case CLOSE -> "the connection is closed with " + r.closeCode();
            case BAN -> "the source is banned for " + duration(r.banFor());
          };
      s.add(
          "Anomaly rule '"
              + r.name()
              + "': when a connection's "
              + (r.measure() == Measure.MESSAGE_RATE
                  ? "messages per second from the client"
                  : "messages per second from the backend")
              + " stay above "
              + r.threshold()
              + " of the route's learnt baseline for "
              + duration(r.sustain())
              + ", "
              + what
              + ". It acts only once the baseline has seen "
              + RouteBaseline.MIN_CONNECTIONS
              + " connections from "
              + RouteBaseline.MIN_SOURCES
              + " sources; until then it is inactive (see /status).");
    }
  }

  private static void handshake(List<String> s, HandshakeRules h) {
    if (h.maxHeaderBytes() > 0) {
      s.add(
          "Request headers may be up to "
              + Quantities.formatSize(h.maxHeaderBytes())
              + "; larger requests are refused with 431.");
    } else {
      s.add("Request headers may be as large as the listener allows (timeouts.maxHeaderBytes).");
    }
    if (h.origins().isEmpty() && h.subprotocols().isEmpty() && h.paths().isEmpty()) {
      s.add("Any origin, subprotocol and path is accepted.");
    } else {
      s.add(
          h.origins().isEmpty()
              ? "Any origin is accepted."
              : "Only these origins are accepted, others are refused with 403: "
                  + String.join(", ", h.origins())
                  + ".");
      s.add(
          h.subprotocols().isEmpty()
              ? "Any subprotocol is accepted."
              : "Only these subprotocols reach the backend: "
                  + String.join(", ", h.subprotocols())
                  + "; others are removed from the offer, and a client offering none of these is refused with 403.");
      s.add(
          h.paths().isEmpty()
              ? "Any path is accepted."
              : "Only these paths are accepted, others are refused with 403: "
                  + String.join(", ", h.paths())
                  + " (* matches within one segment, ** across segments).");
    }
    if (!h.requiredHeaders().isEmpty()) {
      s.add(
          "Handshakes without "
              + (h.requiredHeaders().size() == 1 ? "this header" : "each of these headers")
              + " are refused with 403: "
              + String.join(", ", h.requiredHeaders())
              + ".");
    }
  }

  private static void perIp(List<String> s, PerIpLimits l) {
    if (l.equals(PerIpLimits.NONE)) {
      s.add("There are no per-IP limits.");
      return;
    }
    if (l.handshakes() != null) {
      s.add(
          "Each IP address may open "
              + rate(l.handshakes(), "new connections")
              + overRate(l.handshakes(), false));
    }
    if (l.connections() != null) {
      CountLimit c = l.connections();
      s.add(
          "Each IP address may hold at most "
              + c.max()
              + " connections at once; more are refused with 429"
              + (c.strike() ? " and count as a strike." : "."));
    }
    if (l.messages() != null) {
      s.add(
          "Each IP address may send "
              + rate(
                  l.messages(),
                  "messages",
                  "over all its connections together" + " (control frames included)")
              + overRate(l.messages(), true));
    }
    if (l.bytes() != null) {
      s.add(
          "Each IP address may send "
              + byteRate(l.bytes(), "over all its connections together")
              + overRate(l.bytes(), true));
    }
    List<String> fleet = l.fleet().stream().map(f -> "perIp." + f.limit()).toList();
    if (!fleet.isEmpty()) {
      s.add(
          "These per-IP budgets are the whole fleet's, counted over every node together (scope:"
              + " fleet): "
              + String.join(", ", fleet)
              + ". Each node decides on its own count plus the other nodes' as of the last sync"
              + " (cluster.syncInterval), so the fleet may admit up to one sync interval's worth"
              + " more per node; connections the fleet holds above its maximum after a sync are"
              + " closed with 1008, newest first (docs/FLEET.md). The other per-IP budgets are"
              + " each node's own.");
    }
  }

  private static void perConnection(List<String> s, PerConnectionLimits l) {
    if (l.equals(PerConnectionLimits.NONE)) {
      s.add("There are no per-connection limits beyond the route's maxMessageBytes.");
      return;
    }
    if (l.messages() != null) {
      s.add(
          "Each connection may send "
              + rate(l.messages(), "messages", "(control frames included)")
              + overRate(l.messages(), false));
    }
    if (l.bytes() != null) {
      s.add("Each connection may send " + byteRate(l.bytes(), null) + overRate(l.bytes(), false));
    }
    if (l.maxMessageBytes() != null) {
      s.add(
          "Each message may be up to "
              + Quantities.formatSize(l.maxMessageBytes().max())
              + "; "
              + overSize(l.maxMessageBytes(), "a larger one", CloseCodes.MESSAGE_TOO_BIG));
    }
    if (l.maxFrameBytes() != null) {
      s.add(
          "Each frame may carry up to "
              + Quantities.formatSize(l.maxFrameBytes().max())
              + "; "
              + overSize(l.maxFrameBytes(), "a larger one", CloseCodes.MESSAGE_TOO_BIG));
    }
    if (l.maxFragments() != null) {
      s.add(
          "A message may be split into at most "
              + l.maxFragments().max()
              + " frames; "
              + overSize(l.maxFragments(), "a message split further", CloseCodes.POLICY_VIOLATION));
    }
    if (l.controlFrames() != null) {
      s.add(
          "Each connection may send "
              + rate(l.controlFrames(), "ping and pong frames")
              + overRate(l.controlFrames(), false));
    }
  }

  private static void access(List<String> s, AccessRules a) {
    if (a.allow().isEmpty() && a.deny().isEmpty()) {
      s.add("Any address may connect.");
    } else {
      if (!a.allow().isEmpty()) {
        s.add(
            "Only addresses in "
                + blocks(a.allow())
                + " may connect; others are refused with 403.");
      }
      if (!a.deny().isEmpty()) {
        s.add("Addresses in " + blocks(a.deny()) + " are refused with 403.");
      }
    }
    s.add(
        a.trustedProxies().isEmpty()
            ? "X-Forwarded-For is believed from nobody: the client is the address that connected."
            : "X-Forwarded-For is believed only from " + blocks(a.trustedProxies()) + ".");
  }

  /**
   * The block an IPv6 client is counted as, and the wider blocks counted with it: without them a
   * host rotating through the /64s of its /48 would get every per-IP budget 65,536 times.
   */
  private static void ipv6Blocks(List<String> s, Policy p) {
    String own = "IPv6 clients are counted per /" + p.access().ipv6Prefix() + " block";
    PerIpLimits ip = p.perIp();
    if (ip.handshakes() == null && ip.connections() == null) {
      s.add(own + ".");
      return;
    }
    List<PerIpLimits.Ipv6Block> blocks = ip.ipv6Blocks();
    if (blocks.isEmpty()) {
      s.add(
          own
              + " only: no wider block has a budget of its own, so a client that rotates through the"
              + " blocks of its network gets the per-IP budgets once per block.");
      return;
    }
    List<String> counted = new ArrayList<>();
    for (PerIpLimits.Ipv6Block b : blocks) {
      counted.add(
          "per /"
              + b.prefix()
              + " ("
              + b.factor()
              + " times"
              + (counted.isEmpty() ? " the per-IP budget)" : ")"));
    }
    String what =
        ip.handshakes() != null && ip.connections() != null
            ? "new connections and connections held"
            : ip.handshakes() != null ? "new connections" : "connections held";
    s.add(
        own
            + ", and also "
            + String.join(" and ", counted)
            + " for "
            + what
            + " (ipv6Blocks): a block over its budget is refused with 429 like an address, so"
            + " rotating through the /"
            + p.access().ipv6Prefix()
            + "s of one /"
            + blocks.get(blocks.size() - 1).prefix()
            + " does not multiply the budget.");
  }

  private static void strikes(List<String> s, Policy p) {
    StrikeRules r = p.strikes();
    if (r == null) {
      s.add("Nobody is banned: there is no strikes block.");
      return;
    }
    s.add(
        r.maxStrikes()
            + (r.maxStrikes() == 1 ? " strike" : " strikes")
            + " within "
            + duration(r.window())
            + " ban the IP address (IPv6: its /"
            + p.access().ipv6Prefix()
            + ") for "
            + duration(r.banFor())
            + ": until then its new connections are closed right after accept, before TLS and HTTP"
            + " (behind a PROXY-protocol load balancer, right after the header), with no answer; a"
            + " client named by a trusted proxy's X-Forwarded-For gets 403.");
    if (r.protocolViolations()) {
      s.add(
          "A client that breaks the WebSocket protocol after the upgrade (closed with 1002, or 1007"
              + " for invalid UTF-8) counts as a strike.");
    }
    List<PerIpLimits.Ipv6Block> blocks = p.perIp().ipv6Blocks();
    if (!blocks.isEmpty()) {
      int widest = blocks.get(blocks.size() - 1).prefix();
      s.add(
          StrikeRules.BANS_TO_ESCALATE
              + " such bans inside one IPv6 /"
              + widest
              + " within "
              + duration(r.window())
              + " ban the whole /"
              + widest
              + " for "
              + duration(r.banFor())
              + ".");
    }
  }

  // ---- phrases ----

  private static String rate(RateLimit r, String things) {
    return rate(r, things, null);
  }

  /** {@code 20 new connections per second, in bursts of up to 40}. */
  private static String rate(RateLimit r, String things, String qualifier) {
    String[] perUnit = perUnit(r.perSecond());
    return perUnit[0]
        + " "
        + things
        + " "
        + perUnit[1]
        + (qualifier == null ? "" : " " + qualifier)
        + ", in bursts of up to "
        + r.burst();
  }

  /** {@code 8 MiB of payload per second, in bursts of up to 16 MiB}. */
  private static String byteRate(RateLimit r, String qualifier) {
    boolean perMinute = r.perSecond() != Math.rint(r.perSecond());
    long amount = Math.round(perMinute ? r.perSecond() * 60 : r.perSecond());
    return Quantities.formatSize(amount)
        + " of payload "
        + (perMinute ? "per minute" : "per second")
        + (qualifier == null ? "" : " " + qualifier)
        + ", in bursts of up to "
        + Quantities.formatSize(r.burst());
  }

  /** The count and its unit: whole per-second rates per second, others per minute as written. */
  private static String[] perUnit(double perSecond) {
    if (perSecond == Math.rint(perSecond)) {
      return new String[] {Long.toString((long) perSecond), "per second"};
    }
    return new String[] {Long.toString(Math.round(perSecond * 60)), "per minute"};
  }

  /** What happens to what exceeds a rate, as the end of the sentence. */
  private static String overRate(RateLimit r, boolean perIp) {
    String strike = r.strike() ? " and count as a strike." : ".";
    return switch (r.action()) {
      case REJECT -> "; more are refused with 429" + strike;
      case DROP ->
          "; more are dropped (the connection stays open and the backend never sees them)" + strike;
      case THROTTLE ->
          "; beyond that, wssguard stops reading from "
              + (perIp ? "its connections" : "the client")
              + " until the budget refills"
              + (r.strike() ? ", and going over counts as a strike." : ".");
      case CLOSE -> "; more close the connection with " + CloseCodes.POLICY_VIOLATION + strike;
    };
  }

  /** What happens to a message over a size or fragment limit. */
  private static String overSize(CountLimit c, String subject, int closeCode) {
    String strike = c.strike() ? " and counts as a strike." : ".";
    if (c.action() == Action.DROP) {
      return subject + " is dropped (the connection stays open)" + strike;
    }
    return subject + " closes the connection with " + closeCode + strike;
  }

  private static String blocks(List<Cidr> blocks) {
    return String.join(", ", blocks.stream().map(Cidr::toString).toList());
  }

  /** {@code 10 minutes}, {@code 1 hour}, {@code 90 seconds}. */
  static String duration(Duration d) {
    long ms = d.toMillis();
    if (ms % 3_600_000 == 0) {
      return plural(ms / 3_600_000, "hour");
    } else if (ms % 60_000 == 0) {
      return plural(ms / 60_000, "minute");
    } else if (ms % 1000 == 0) {
      return plural(ms / 1000, "second");
    }
    return plural(ms, "millisecond");
  }

  private static String plural(long n, String unit) {
    return n + " " + unit + (n == 1 ? "" : "s");
  }
}
