package io.wssguard.limit;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.List;
import java.util.logging.Logger;

/**
 * Turns limit decisions into consequences that outlive a connection: strikes counted per source within the policy's
 * window, and a ban once there are enough of them. Also the one place that writes security events to the log.
 */
public final class Enforcer {
  private static final Logger SECURITY = Logger.getLogger("wssguard.security");

  private final Bans bans;

  public Enforcer(Bans bans) {
    this.bans = bans;
  }

  public Bans bans() {
    return bans;
  }

  /**
   * A limit was exceeded by {@code client}: logs it, and counts a strike if the limit says so (in monitor mode only
   * the log line, marked as what would have happened).
   */
  public void exceeded(SourceState source, CompiledPolicy policy, InetAddress client, Limit limit, String detail) {
    SECURITY.warning(() -> (policy.monitor ? "would have " : "") + "limited client=" + client.getHostAddress()
        + " policy=" + policy.name() + " limit=" + limit.name() + " action=" + limit.action().name().toLowerCase()
        + (limit.strike() ? " strike=true" : "") + (detail.isEmpty() ? "" : " " + detail));
    if (limit.strike() && !policy.monitor && source != null) {
      strike(source, policy, client, limit.name());
    }
  }

  /** A refused handshake or a policy-closed connection that counts as a strike. */
  public void strike(SourceState source, CompiledPolicy policy, InetAddress client, String what) {
    if (policy.strikes == null) {
      return;
    }
    long now = System.nanoTime();
    List<String> recent = source.strikes.add(now, policy.strikeWindowNanos, what, policy.strikes.maxStrikes());
    SECURITY.warning(() -> "strike client=" + client.getHostAddress() + " policy=" + policy.name() + " limit=" + what
        + " count=" + recent.size() + "/" + policy.strikes.maxStrikes());
    if (recent.size() >= policy.strikes.maxStrikes()) {
      source.strikes.clear();
      int prefix = client instanceof Inet4Address ? 32 : policy.access.ipv6Prefix();
      String reason = recent.size() + " strikes within " + policy.strikes.window().toSeconds() + "s (policy "
          + policy.name() + ")";
      bans.ban(client, prefix, policy.strikes.banFor(), reason, recent);
      SECURITY.warning(() -> "ban client=" + client.getHostAddress() + "/" + prefix + " policy=" + policy.name()
          + " for=" + policy.strikes.banFor().toSeconds() + "s reason=\"" + reason + "\"");
    }
  }

  /** A handshake refused by policy (logged; counted as a strike by the caller where the limit says so). */
  public static void refused(InetAddress client, CompiledPolicy policy, int status, String why) {
    SECURITY.warning(() -> (policy.monitor ? "would have " : "") + "refused client=" + client.getHostAddress()
        + " policy=" + policy.name() + " status=" + status + " reason=\"" + why + "\"");
  }
}
