package io.wssguard.observe;

import io.wssguard.event.SecurityEvents;
import java.net.InetAddress;
import java.time.Duration;
import java.time.Instant;

/**
 * The security events as one JSON line each on stdout (for journald and fail2ban) and as metrics.
 * Every line has {@code ts}, {@code event} and, where known, {@code client}, {@code route}, {@code
 * policy}, {@code limit}, {@code action}, {@code enforced}; the rest is under {@code values}. The
 * vocabulary is listed in docs/OBSERVABILITY.md.
 */
public final class SecurityLog implements SecurityEvents {
  private final Metrics metrics;
  private final JsonLog log;
  private final TopSources violations;

  SecurityLog(Metrics metrics, JsonLog log, TopSources violations) {
    this.metrics = metrics;
    this.log = log;
    this.violations = violations;
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
    log.write(
        event("handshake_rejected", ip(client), route)
            .field("action", "refuse")
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
      violations.add(client.getHostAddress(), 1);
    }
    log.write(
        event("handshake_rejected", ip(client), route)
            .field("policy", policy)
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
      violations.add(client.getHostAddress(), 1);
    }
    String event =
        !monitor && action.equals("close") ? "connection_closed_by_policy" : "limit_exceeded";
    log.write(
        event(event, ip(client), null)
            .field("policy", policy)
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
  public void strike(InetAddress client, String policy, String limit, int count, int max) {
    metrics.strike(policy, limit);
    log.write(
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
    metrics.banAdded(by);
    int slash = target.indexOf('/');
    log.write(
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
    log.write(
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
    log.write(
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
