package io.wssguard.limit;

import io.wssguard.ban.BanOutcome;
import io.wssguard.ban.Bans;
import io.wssguard.event.SecurityEvents;
import io.wssguard.time.Ticker;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import java.util.Locale;

/**
 * Turns limit decisions into consequences that outlive a connection: strikes counted per source
 * within the policy's window, and a ban once there are enough of them. Reports every decision as a
 * {@link SecurityEvents} event (the JSON security log and the policy metrics).
 */
public final class Enforcer {
  private final Bans bans;
  private final SecurityEvents events;
  private final Ticker ticker;
  private final BlockBans blockBans = new BlockBans();

  /** Where strikes go to be counted across the fleet too; null without a fleet. */
  private volatile FleetLedger fleet;

  public Enforcer(Bans bans) {
    this(bans, SecurityEvents.NONE, Ticker.system());
  }

  /**
   * @param ticker the time of admission and enforcement: handshake and message buckets, strike
   *     windows
   */
  public Enforcer(Bans bans, SecurityEvents events, Ticker ticker) {
    this.bans = bans;
    this.events = events;
    this.ticker = ticker;
  }

  public Ticker ticker() {
    return ticker;
  }

  public SecurityEvents events() {
    return events;
  }

  public Bans bans() {
    return bans;
  }

  /** Counts every strike across the fleet too, through {@code ledger} (docs/FLEET.md). */
  public void shareStrikes(FleetLedger ledger) {
    this.fleet = ledger;
  }

  /**
   * A limit was exceeded by {@code client}: logs it, and counts a strike if the limit says so (in
   * monitor mode only the log line, marked as what would have happened).
   */
  public void exceeded(
      SourceState source, CompiledPolicy policy, InetAddress client, Limit limit, String detail) {
    events.limitExceeded(
        client,
        policy.name(),
        policy.monitor,
        limit.name(),
        limit.action().name().toLowerCase(Locale.ROOT),
        limit.strike(),
        detail);
    if (limit.strike() && !policy.monitor && source != null) {
      strike(source, policy, client, limit.name());
    }
  }

  /** A refused handshake or a policy-closed connection that counts as a strike. */
  public void strike(SourceState source, CompiledPolicy policy, InetAddress client, String what) {
    if (policy.strikes == null) {
      return;
    }
    long now = ticker.nanos();
    List<String> recent =
        source.strikes.add(now, policy.strikeWindowNanos, what, policy.strikes.maxStrikes());
    events.strike(client, policy.name(), what, recent.size(), policy.strikes.maxStrikes());
    FleetLedger ledger = fleet;
    if (ledger != null) {
      ledger.struck(new FleetLedger.Strike(this, policy, source, client));
    }
    if (recent.size() >= policy.strikes.maxStrikes()) {
      source.strikes.clear();
      int prefix = sourcePrefix(policy, client);
      String reason =
          recent.size()
              + " strikes within "
              + policy.strikes.window().toSeconds()
              + "s (policy "
              + policy.name()
              + ")";
      if (ban(policy, client, prefix, reason, recent, "strikes")) {
        escalate(policy, client, now, recent);
      }
    }
  }

  /**
   * Bans the source of {@code client} (IPv4: the address; IPv6: the policy's prefix) for {@code
   * banFor} because {@code by} said so (an anomaly rule), and reports it; returns whether a ban was
   * made (a never-ban source is not banned).
   */
  public boolean ban(
      CompiledPolicy policy, InetAddress client, Duration banFor, String reason, String by) {
    return ban(policy, client, sourcePrefix(policy, client), banFor, reason, List.of(by), by);
  }

  /** What a ban of {@code client} covers: an IPv4 address, or the policy's IPv6 prefix. */
  private static int sourcePrefix(CompiledPolicy policy, InetAddress client) {
    return client instanceof Inet4Address ? 32 : policy.access.ipv6Prefix();
  }

  /**
   * The fleet's count of a source's strikes reached the policy's maximum with a strike struck here
   * (the fleet agent's thread): bans the source here, and so everywhere, unless it is banned
   * already (this node's own count got there first, or another node's ban arrived). Only the node
   * whose increment crossed the maximum in Redis gets here, so two nodes striking at once do not
   * both ban.
   */
  void fleetStrikesReached(FleetLedger.Strike strike, long total) {
    CompiledPolicy policy = strike.policy();
    InetAddress client = strike.client();
    if (policy.monitor || policy.strikes == null || bans.isBanned(client)) {
      return;
    }
    strike.source().strikes.clear();
    int prefix = sourcePrefix(policy, client);
    String reason =
        policy.strikes.maxStrikes()
            + " strikes within "
            + policy.strikes.window().toSeconds()
            + "s across the fleet (policy "
            + policy.name()
            + ")";
    ban(policy, client, prefix, reason, List.of("fleet: strike " + total), "fleet_strikes");
  }

  /**
   * The third source ban inside one widest IPv6 block of the policy within the strike window bans
   * that block (see {@link BlockBans}).
   */
  private void escalate(CompiledPolicy policy, InetAddress client, long now, List<String> recent) {
    if (client instanceof Inet4Address || policy.ipv6Blocks.length == 0) {
      return;
    }
    int prefix = policy.ipv6Blocks[policy.ipv6Blocks.length - 1].prefix();
    if (!blockBans.sourceBanned(SourceKey.of(client, prefix), now, policy.strikeWindowNanos)) {
      return;
    }
    String reason =
        BlockBans.TO_ESCALATE
            + " bans inside this /"
            + prefix
            + " within "
            + policy.strikes.window().toSeconds()
            + "s (policy "
            + policy.name()
            + ")";
    ban(policy, client, prefix, reason, recent, "escalation");
  }

  /**
   * Bans the {@code prefix} block around {@code client} for the policy's ban time and reports it;
   * returns whether a ban was made. A never-ban source (an allow-listed block, a trusted proxy) is
   * refused: no ban line for it.
   */
  private boolean ban(
      CompiledPolicy policy,
      InetAddress client,
      int prefix,
      String reason,
      List<String> history,
      String by) {
    return ban(policy, client, prefix, policy.strikes.banFor(), reason, history, by);
  }

  /** Bans the {@code prefix} block around {@code client} for {@code banFor} and reports it. */
  private boolean ban(
      CompiledPolicy policy,
      InetAddress client,
      int prefix,
      Duration banFor,
      String reason,
      List<String> history,
      String by) {
    BanOutcome outcome = bans.ban(client, prefix, banFor, reason, history, by);
    if (outcome.banned()) {
      events.banned(outcome.ban().target().toString(), policy.name(), banFor, reason, by);
    }
    return outcome.banned();
  }
}
