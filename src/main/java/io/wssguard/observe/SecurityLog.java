package io.wssguard.observe;

import io.wssguard.event.SecurityEvents;
import io.wssguard.net.Cidr;
import java.net.InetAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * The security events as one JSON line each on stdout (for journald and fail2ban) and as metrics.
 * Every line has {@code ts}, {@code event} and, where known, {@code client}, {@code route}, {@code
 * policy}, {@code limit}, {@code action}, {@code enforced}; the rest is under {@code values}. The
 * vocabulary is listed in docs/OBSERVABILITY.md.
 *
 * <p>Strike, ban, unban and reload lines take the log's important lane and are never dropped.
 * Rejection lines (handshake refusals, limits exceeded, protocol violations) are limited per source
 * by {@link SourceLineLimit}; their metrics count every event.
 */
public final class SecurityLog implements SecurityEvents {
  private final Metrics metrics;
  private final JsonLog log;
  private final TopSources violations;
  private final SourceLineLimit perSource = new SourceLineLimit();
  private final LongSupplier nanoClock;
  private final RecentEvents recent = new RecentEvents(RECENT);
  private volatile Consumer<Cidr> banWatch;

  /** Lines the console's event view can page back through. */
  static final int RECENT = 2048;

  SecurityLog(Metrics metrics, JsonLog log, TopSources violations) {
    this(metrics, log, violations, System::nanoTime);
  }

  SecurityLog(Metrics metrics, JsonLog log, TopSources violations, LongSupplier nanoClock) {
    this.metrics = metrics;
    this.log = log;
    this.violations = violations;
    this.nanoClock = nanoClock;
    metrics.logSuppressed(perSource);
  }

  /** See {@link Observability#watchBans}. */
  void watchBans(Consumer<Cidr> watch) {
    banWatch = watch;
  }

  /** The last lines written, for the console. */
  RecentEvents recent() {
    return recent;
  }

  private void write(String line) {
    log.write(line);
    recent.add(line);
  }

  private void writeImportant(String line) {
    log.writeImportant(line);
    recent.add(line);
  }

  /**
   * A peer broke RFC 6455 and was answered with {@code code}: counted by the metrics ({@link
   * ConnectionMeter#violation}) and logged as a rejection line (one per ended connection, limited
   * per source like the others, so malformed frames from one scanner cannot fill the log).
   */
  void protocolViolation(String client, String route, boolean fromClient, int code) {
    JsonText line = rejection("protocol_violation", client, route);
    if (line == null) {
      return;
    }
    write(
        line.field("action", "close")
            .field("enforced", true)
            .key("values")
            .beginObject()
            .field("from", fromClient ? "client" : "backend")
            .field("code", code)
            .endObject()
            .endObject()
            .toString());
  }

  /**
   * The start of a rejection line for {@code client}, or null when its source has had its share of
   * lines this second; carries {@code "suppressed":N} when lines were left out before it.
   */
  private JsonText rejection(String event, String client, String route) {
    long left = perSource.admit(client, nanoClock.getAsLong());
    if (left < 0) {
      return null;
    }
    JsonText line = event(event, client, route);
    return left > 0 ? line.field("suppressed", left) : line;
  }

  /**
   * Starts a line: {@code {"ts":...,"event":...,"client":...,"route":...}} with the object left
   * open.
   */
  static JsonText event(String event, String client, String route) {
    return new JsonText()
        .beginObject()
        .field("ts", Instant.now().toString())
        .field("event", event)
        .field("client", client)
        .field("route", route);
  }

  private static String ip(InetAddress a) {
    return a == null ? null : a.getHostAddress();
  }

  @Override
  public void handshakeRejected(
      InetAddress client, String route, String reason, int status, String detail) {
    metrics.handshake(reason);
    // A malformed handshake is the client's doing; a backend's trouble is not.
    if (client != null && !reason.startsWith("backend_")) {
      violations.add(client.getHostAddress(), 1, route);
    }
    JsonText line = rejection("handshake_rejected", ip(client), route);
    if (line == null) {
      return;
    }
    write(
        line.field("action", "refuse")
            .field("enforced", true)
            .key("values")
            .beginObject()
            .field("reason", reason)
            .field("status", status)
            .field("detail", detail)
            .endObject()
            .endObject()
            .toString());
  }

  /** The handshake outcome a policy refusal is counted under. */
  static String outcomeOf(String limit) {
    return switch (limit) {
      case "ban" -> "banned";
      case "perIp.handshakes" -> "policy_rate";
      case "perIp.connections" -> "policy_connections";
      case "handshake.maxHeaderBytes" -> "header_too_large";
      default -> "policy_forbidden";
    };
  }

  @Override
  public void policyRefused(
      InetAddress client,
      String route,
      String policy,
      boolean monitor,
      String limit,
      int status,
      String why) {
    metrics.decision(policy, limit, "refuse", !monitor);
    if (!monitor) {
      metrics.handshake(outcomeOf(limit));
    }
    if (client != null) {
      violations.add(client.getHostAddress(), 1, route);
    }
    JsonText line = rejection("handshake_rejected", ip(client), route);
    if (line == null) {
      return;
    }
    write(
        line.field("policy", policy)
            .field("limit", limit)
            .field("action", "refuse")
            .field("enforced", !monitor)
            .key("values")
            .beginObject()
            .field("reason", outcomeOf(limit))
            .field("status", status)
            .field("detail", why)
            .endObject()
            .endObject()
            .toString());
  }

  @Override
  public void limitExceeded(
      InetAddress client,
      String policy,
      boolean monitor,
      String limit,
      String action,
      boolean strike,
      String detail) {
    metrics.decision(policy, limit, action, !monitor);
    if (client != null) {
      violations.add(client.getHostAddress(), 1, null);
    }
    String event =
        !monitor && action.equals("close") ? "connection_closed_by_policy" : "limit_exceeded";
    JsonText line = rejection(event, ip(client), null);
    if (line == null) {
      return;
    }
    write(
        line.field("policy", policy)
            .field("limit", limit)
            .field("action", action)
            .field("enforced", !monitor)
            .key("values")
            .beginObject()
            .field("strike", strike)
            .field("detail", detail.isEmpty() ? null : detail)
            .endObject()
            .endObject()
            .toString());
  }

  @Override
  public void anomaly(
      InetAddress client,
      String route,
      String policy,
      boolean enforced,
      String limit,
      String action,
      String measure,
      double value,
      String figure,
      double baseline,
      double threshold) {
    metrics.anomaly(route, policy, limit, action, enforced);
    if (client != null) {
      violations.add(client.getHostAddress(), 1);
    }
    JsonText line = rejection("anomaly", ip(client), route);
    if (line == null) {
      return;
    }
    log.write(
        line.field("policy", policy)
            .field("limit", limit)
            .field("action", action)
            .field("enforced", enforced)
            .key("values")
            .beginObject()
            .field("measure", measure)
            .field("value", value)
            .field("figure", figure)
            .field("baseline", baseline)
            .field("threshold", threshold)
            .endObject()
            .endObject()
            .toString());
  }

  @Override
  public void strike(InetAddress client, String policy, String limit, int count, int max) {
    metrics.strike(policy, limit);
    writeImportant(
        event("strike", ip(client), null)
            .field("policy", policy)
            .field("limit", limit)
            .field("action", "strike")
            .field("enforced", true)
            .key("values")
            .beginObject()
            .field("count", count)
            .field("max", max)
            .endObject()
            .endObject()
            .toString());
  }

  @Override
  public void banned(String target, String policy, Duration duration, String reason, String by) {
    Consumer<Cidr> watch = banWatch;
    if (watch != null) {
      watch.accept(Cidr.parse(target)); // first: the connections it closes spend no more CPU
    }
    metrics.banAdded(by);
    int slash = target.indexOf('/');
    writeImportant(
        event("ban", slash < 0 ? target : target.substring(0, slash), null)
            .field("policy", policy)
            .field("action", "ban")
            .field("enforced", true)
            .key("values")
            .beginObject()
            .field("target", target)
            .field("forSeconds", duration.toSeconds())
            .field("reason", reason)
            .field("by", by)
            .endObject()
            .endObject()
            .toString());
  }

  @Override
  public void unbanned(String target, String by) {
    metrics.banRemoved();
    int slash = target.indexOf('/');
    writeImportant(
        event("unban", slash < 0 ? target : target.substring(0, slash), null)
            .field("action", "unban")
            .field("enforced", true)
            .key("values")
            .beginObject()
            .field("target", target)
            .field("by", by)
            .endObject()
            .endObject()
            .toString());
  }

  @Override
  public void policyReload(String trigger, boolean applied, String detail) {
    writeImportant(
        event("policy_reload", null, null)
            .field("action", applied ? "applied" : "rejected")
            .field("enforced", applied)
            .key("values")
            .beginObject()
            .field("trigger", trigger)
            .field("detail", detail)
            .endObject()
            .endObject()
            .toString());
  }
}
