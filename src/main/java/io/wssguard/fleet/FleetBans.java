package io.wssguard.fleet;

import io.wssguard.ban.Ban;
import io.wssguard.ban.BanCap;
import io.wssguard.ban.BanOutcome;
import io.wssguard.ban.Bans;
import io.wssguard.config.AdminConfig;
import io.wssguard.config.ClusterConfig;
import io.wssguard.event.SecurityEvents;
import io.wssguard.limit.FleetLedger;
import io.wssguard.net.Cidr;
import io.wssguard.observe.FleetView;
import io.wssguard.observe.JsonText;
import io.wssguard.quantity.Quantities;
import io.wssguard.time.Ticker;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Logger;

/**
 * This node's bans shared with the fleet (docs/FLEET.md): {@link Bans} around the node's own
 * (journalled or in memory), which stay the only thing a handshake asks. A ban or unban made here
 * (strikes, the admin API, {@code wssguard ban}) is applied locally first, then queued for Redis
 * ({@link RedisLink}: the bans hash for nodes that start later, the changes channel for those
 * running); one that arrives from another node is checked like admin input ({@link NoticeReader}),
 * then applied to the node's own bans as a local one would be — never-ban blocks refused, journal,
 * kernel firewall — and never sent on again.
 *
 * <p>Which ban came from which node is kept here ({@link #origin}) for the listings; a ban made
 * here is this node's. After each read of the hashes, a ban the fleet had and has since lifted
 * (while this node was away) is lifted here too; bans this node made while Redis was away are sent
 * first, so they are not among them. A ban the fleet had that is gone from the bans hash with no
 * record of its lifting was lost by the store (an asynchronous failover, a hash emptied by hand): a
 * node that still holds it writes it back, so a store's loss never lifts a ban.
 *
 * <p>Strikes and {@code scope: fleet} budgets travel through the same link ({@link FleetSync}):
 * {@link #ledger} is what the proxy's admission and enforcement hand them to.
 */
public final class FleetBans implements Bans, FleetView, AutoCloseable {
  private static final Logger LOG = Logger.getLogger(FleetBans.class.getName());

  /** How long a starting node waits for the fleet's bans before it serves without them. */
  public static final Duration START_WAIT = Duration.ofSeconds(3);

  private final Bans local;
  private final String node;
  private final NoticeReader reader;
  private final Ticker ticker;
  private final QuietLog quiet;
  private final RedisLink link;
  private final FleetLedger ledger = new FleetLedger();
  private final FleetSync sync;
  private final Map<Cidr, String> origins = new ConcurrentHashMap<>();
  private final CountDownLatch firstLoad = new CountDownLatch(1);
  private final AtomicLong received = new AtomicLong();
  private final AtomicLong refused = new AtomicLong();
  private volatile SecurityEvents events = SecurityEvents.NONE;

  /** Targets the fleet's hash holds, as far as this node knows (the link's thread only). */
  private Set<Cidr> inFleet = new HashSet<>();

  private FleetBans(
      ClusterConfig config,
      char[] password,
      Bans local,
      AdminConfig.WidestBan widest,
      Ticker ticker,
      Duration heartbeat) {
    this.local = local;
    this.node = config.node();
    this.reader = new NoticeReader(widest);
    this.ticker = ticker;
    this.quiet = new QuietLog(LOG, ticker);
    this.link =
        new RedisLink(config.redis(), password, config.keyPrefix(), new LinkListener(), ticker);
    this.sync = new FleetSync(link, config, ledger, ticker, heartbeat);
  }

  /**
   * Joins the fleet {@code config} describes with {@code local} (whose never-ban blocks should be
   * set already): connects in the background and returns at once; {@link #awaitLoaded} waits for
   * the fleet's bans.
   *
   * @param widest the widest ban accepted from another node (the admin API's rule)
   * @throws IOException the password file cannot be read, or is empty
   */
  public static FleetBans start(
      ClusterConfig config, Bans local, AdminConfig.WidestBan widest, Ticker ticker)
      throws IOException {
    return start(config, local, widest, ticker, FleetSync.HEARTBEAT);
  }

  /** {@link #start} with another pace for a node that has nothing to reconcile (tests). */
  static FleetBans start(
      ClusterConfig config,
      Bans local,
      AdminConfig.WidestBan widest,
      Ticker ticker,
      Duration heartbeat)
      throws IOException {
    FleetBans fleet =
        new FleetBans(config, password(config.passwordFile()), local, widest, ticker, heartbeat);
    fleet.link.start();
    fleet.sync.start();
    return fleet;
  }

  private static char[] password(Path file) throws IOException {
    if (file == null) {
      return null;
    }
    String text = Files.readString(file, StandardCharsets.UTF_8).strip();
    if (text.isEmpty() || text.contains("\n")) {
      throw new IOException(file + ": expected the password on one line");
    }
    return text.toCharArray();
  }

  /**
   * Waits up to {@code wait} for the first read of the fleet's bans; false if Redis did not answer.
   */
  public boolean awaitLoaded(Duration wait) throws InterruptedException {
    return firstLoad.await(wait.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** Where bans that arrive from other nodes are reported (the security log and its metrics). */
  public void events(SecurityEvents events) {
    this.events = events;
  }

  /** Where admission and enforcement hand strikes and {@code scope: fleet} usage to the fleet. */
  public FleetLedger ledger() {
    return ledger;
  }

  /** Whether Redis is connected and the fleet's bans were read through it. */
  @Override
  public boolean connected() {
    return link.connected();
  }

  /** Bans and unbans this node wrote to Redis. */
  @Override
  public long bansPublished() {
    return link.published();
  }

  /** Bans and unbans from other nodes that this node applied. */
  @Override
  public long bansReceived() {
    return received.get();
  }

  /** Entries and messages from Redis refused: malformed, too wide, too long, or never-ban here. */
  @Override
  public long bansRefused() {
    return refused.get();
  }

  @Override
  public long strikesPublished() {
    return sync.strikesPublished();
  }

  @Override
  public long syncs() {
    return sync.syncs();
  }

  @Override
  public double syncSeconds() {
    return sync.syncSeconds();
  }

  @Override
  public long syncFailures() {
    return sync.syncFailures();
  }

  @Override
  public double syncLagSeconds() {
    return sync.syncLagSeconds();
  }

  @Override
  public double syncIntervalSeconds() {
    return sync.pace().toNanos() / 1e9;
  }

  @Override
  public double redisRttSeconds() {
    return sync.redisRttSeconds();
  }

  @Override
  public int nodesAlive() {
    return sync.nodesAlive();
  }

  @Override
  public int sharedSources() {
    return sync.shared();
  }

  @Override
  public long connectionsClosed() {
    return sync.connectionsClosed();
  }

  @Override
  public long countsRefused() {
    return sync.countsRefused();
  }

  @Override
  public void status(JsonText json) {
    sync.status(json, connected(), origins.size());
  }

  @Override
  public boolean isBanned(InetAddress address) {
    return local.isBanned(address);
  }

  /** The cap is the local list's: bans from the fleet count against it like local ones. */
  @Override
  public void cap(BanCap cap) {
    local.cap(cap);
  }

  @Override
  public BanOutcome ban(
      InetAddress address,
      int prefix,
      Duration duration,
      String reason,
      List<String> history,
      String by) {
    BanOutcome outcome = local.ban(address, prefix, duration, reason, history, by);
    if (outcome.banned()) {
      Cidr target = outcome.ban().target();
      origins.remove(target);
      link.send(BanNotice.ban(target, outcome.ban().until(), shareable(reason), node));
    }
    return outcome;
  }

  /**
   * {@code reason} as the other nodes accept it: one line, at most {@link NoticeReader#MAX_REASON}.
   */
  static String shareable(String reason) {
    String line = reason.replaceAll("\\p{Cc}", " ").strip();
    line = line.isEmpty() ? "banned on another node" : line;
    return line.length() <= NoticeReader.MAX_REASON
        ? line
        : line.substring(0, NoticeReader.MAX_REASON - 3) + "...";
  }

  /** Lifts the ban here and, through Redis, on every node; true if there was one here or there. */
  @Override
  public boolean unban(Cidr target) {
    Instant until = heldUntil(target);
    boolean here = local.unban(target);
    boolean fromFleet = origins.remove(target) != null;
    if (here || fromFleet) {
      // The fleet keeps the record as long as the ban would have lasted here; a ban held here only
      // in the fleet's name was refused here (never-ban), so its end is not known: the longest.
      link.send(
          BanNotice.unban(
              target, until != null ? until : ticker.instant().plus(Quantities.MAX_BAN), node));
    }
    return here || fromFleet;
  }

  /** When this node's ban of exactly {@code target} ends, or null (rare: a scan of the list). */
  private Instant heldUntil(Cidr target) {
    for (Ban e : local.active()) {
      if (e.target().equals(target)) {
        return e.until();
      }
    }
    return null;
  }

  @Override
  public void neverBan(List<Cidr> blocks) {
    local.neverBan(blocks);
  }

  @Override
  public List<Ban> active() {
    return local.active();
  }

  @Override
  public long expiredCount() {
    return local.expiredCount();
  }

  /** The node that made the ban on {@code target}: another node's name, or this node's. */
  @Override
  public String origin(Cidr target) {
    return origins.getOrDefault(target, node);
  }

  @Override
  public void close() {
    link.close();
  }

  // ---- from Redis, on the link's thread ----

  /** Applies another node's ban or unban here, as a local one; false if it was refused. */
  private boolean apply(BanNotice n, boolean live) {
    Cidr target = n.target();
    if (n.kind() == BanNotice.Kind.UNBAN) {
      origins.remove(target);
      inFleet.remove(target);
      if (local.unban(target) && live) {
        events.unbanned(target.toString(), "fleet");
      }
      return true;
    }
    Duration left = Duration.between(ticker.instant(), n.until());
    if (left.isNegative() || left.isZero()) {
      return true;
    }
    BanOutcome outcome;
    try {
      outcome =
          local.ban(
              target.network(),
              target.prefix(),
              left,
              n.reason(),
              List.of("fleet: " + n.origin()),
              "fleet");
    } catch (RuntimeException e) {
      outcome = BanOutcome.refused(e.getMessage());
    }
    inFleet.add(target);
    if (!outcome.banned()) {
      refuse("the ban of " + target.shortText() + " from node " + n.origin(), outcome.refusal());
      return false;
    }
    if (n.origin().equals(node)) {
      origins.remove(target);
    } else {
      origins.put(target, n.origin());
    }
    if (live) {
      events.banned(target.toString(), null, left, n.reason(), "fleet");
    }
    return true;
  }

  private void refuse(String what, String why) {
    refused.incrementAndGet();
    quiet.warn("refused", "fleet: refused " + what + ": " + why);
  }

  private final class LinkListener implements RedisLink.Listener {
    @Override
    public void received(String message) {
      BanNotice n;
      try {
        n = reader.read(message, ticker.instant());
      } catch (NoticeReader.Refused e) {
        refuse("a message on the changes channel", e.getMessage());
        return;
      }
      if (n.origin().equals(node)) {
        return; // this node's own change, echoed back
      }
      if (apply(n, true)) {
        received.incrementAndGet();
      }
    }

    @Override
    public RedisLink.Repairs loaded(Map<String, String> bans, Map<String, String> lifted) {
      Instant now = ticker.instant();
      Map<Cidr, Ban> here = new HashMap<>();
      for (Ban e : local.active()) {
        here.put(e.target(), e);
      }
      List<String> endedLifts = new ArrayList<>();
      Map<Cidr, String> liftRecords = new HashMap<>();
      for (Map.Entry<String, String> e : lifted.entrySet()) {
        BanNotice n = entry(e, BanNotice.Kind.UNBAN, now, "lifted");
        if (n == null) {
          continue;
        }
        if (!n.until().isAfter(now)) {
          endedLifts.add(e.getKey());
        } else {
          liftRecords.put(n.target(), e.getKey());
        }
      }
      Set<Cidr> present = new HashSet<>();
      List<String> endedBans = new ArrayList<>();
      int added = 0;
      for (Map.Entry<String, String> e : bans.entrySet()) {
        BanNotice n = entry(e, BanNotice.Kind.BAN, now, "bans");
        if (n == null) {
          continue;
        }
        if (!n.until().isAfter(now)) {
          endedBans.add(e.getKey());
          continue;
        }
        present.add(n.target());
        Ban held = here.get(n.target());
        if (held == null || held.until().isBefore(n.until().minusSeconds(1))) {
          if (apply(n, false) && held == null) {
            added++;
          }
        } else if (!n.origin().equals(node)) {
          origins.put(n.target(), n.origin());
        }
        String record = liftRecords.remove(n.target());
        if (record != null) {
          endedLifts.add(record); // banned again since: the ban stands
        }
      }
      int liftedHere = 0;
      Map<String, String> restored = new HashMap<>();
      for (Cidr gone : inFleet) {
        if (present.contains(gone) || link.queued(gone)) {
          continue;
        }
        Ban held = here.get(gone);
        if (held != null && !liftRecords.containsKey(gone)) {
          BanNotice n = BanNotice.ban(gone, held.until(), shareable(held.reason()), origin(gone));
          restored.put(n.field(), n.json());
          present.add(gone);
          continue;
        }
        origins.remove(gone);
        if (local.unban(gone)) {
          liftedHere++;
        }
      }
      inFleet = present;
      if (!restored.isEmpty()) {
        LOG.warning(
            "fleet: "
                + restored.size()
                + " ban(s) this node holds were gone from Redis with no record of their lifting"
                + " (a failover that lost writes, or the hash emptied by hand): written back");
      }
      if (firstLoad.getCount() > 0 || added > 0 || liftedHere > 0) {
        LOG.info(
            "fleet: "
                + present.size()
                + " fleet ban(s) in Redis; "
                + added
                + " new here, "
                + liftedHere
                + " lifted here (lifted in the fleet meanwhile)");
      }
      firstLoad.countDown();
      return new RedisLink.Repairs(endedBans, endedLifts, restored);
    }

    /** An entry of the {@code hash} hash read as a notice of {@code kind}, or null if refused. */
    private BanNotice entry(
        Map.Entry<String, String> e, BanNotice.Kind kind, Instant now, String hash) {
      String what = "the entry " + NoticeReader.clip(e.getKey()) + " of the " + hash + " hash";
      BanNotice n;
      try {
        n = reader.read(e.getValue(), now);
      } catch (NoticeReader.Refused r) {
        refuse(what, r.getMessage());
        return null;
      }
      if (n.kind() != kind || n.until() == null || !n.field().equals(e.getKey())) {
        String op = kind == BanNotice.Kind.BAN ? "a ban" : "an unban with its until";
        refuse(what, "not " + op + " of " + NoticeReader.clip(e.getKey()));
        return null;
      }
      return n;
    }

    @Override
    public void sent(BanNotice notice) {
      if (notice.kind() == BanNotice.Kind.BAN) {
        inFleet.add(notice.target());
      } else {
        inFleet.remove(notice.target());
      }
    }
  }
}
