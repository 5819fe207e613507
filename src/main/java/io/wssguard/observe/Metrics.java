package io.wssguard.observe;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.wssguard.anomaly.AnomalyWatch;
import io.wssguard.backend.BackendGroup;
import io.wssguard.backend.BackendServer;
import io.wssguard.ban.Bans;
import io.wssguard.ban.JournalBans;
import io.wssguard.config.RouteConfig;
import io.wssguard.frame.CloseCodes;
import io.wssguard.traffic.TrafficRecorder;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.IntSupplier;
import java.util.function.Supplier;
import java.util.function.ToDoubleFunction;

/**
 * Every {@code wssguard_*} meter, in one Prometheus registry per proxy (docs/OBSERVABILITY.md lists
 * them).
 *
 * <p>Labels are only ever configuration values (route, backend group and server, listener, policy
 * and limit names) or small fixed vocabularies (rejection reasons, directions, close codes folded
 * into {@link #closeCodeLabel}): never a client address, so the series count is bounded by the
 * configuration. Meters that are hit per connection are created up front or cached; nothing here is
 * called per frame (see {@link ConnectionMeter}).
 */
public final class Metrics {
  /**
   * Every handshake outcome other than {@code accepted}, as counted by {@code
   * wssguard_handshakes_total}.
   */
  public static final List<String> REJECTIONS =
      List.of(
          "method",
          "version",
          "header_too_large",
          "body",
          "upgrade",
          "connection",
          "ws_version",
          "key",
          "host",
          "subprotocol",
          "path",
          "no_route",
          "policy_forbidden",
          "policy_rate",
          "policy_connections",
          "banned",
          "backend_connect_rate",
          "backend_refused",
          "backend_failed");

  /**
   * Why a connection was closed right after accept, before TLS or HTTP, as counted by {@code
   * wssguard_connections_refused_total}.
   */
  public static final List<String> REFUSED_AT_ACCEPT =
      List.of("banned", "capacity", "proxy_untrusted", "proxy_timeout");

  /**
   * Where a connection of a banned source was dropped before its upgrade, as counted by {@code
   * wssguard_connections_dropped_banned_total}: when its ban landed, or when its TLS handshake
   * completed.
   */
  public static final List<String> DROPPED_BANNED = List.of("in_handshake", "after_tls");

  private static final Duration[] HANDSHAKE_BUCKETS =
      durations(
          10_000,
          50_000,
          100_000,
          250_000,
          500_000,
          1_000_000,
          2_500_000,
          5_000_000,
          10_000_000,
          25_000_000,
          50_000_000,
          100_000_000,
          250_000_000,
          500_000_000,
          1_000_000_000,
          2_500_000_000L,
          5_000_000_000L,
          10_000_000_000L);
  private static final Duration[] INSPECTION_BUCKETS =
      durations(
          250,
          500,
          1_000,
          2_000,
          5_000,
          10_000,
          20_000,
          50_000,
          100_000,
          250_000,
          1_000_000,
          10_000_000);

  final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final Map<String, Counter> handshakes = new HashMap<>();
  private final Map<String, Counter> refusedAtAccept = new HashMap<>();
  private final Map<String, Counter> droppedBanned = new HashMap<>();
  // Routes come and go with reloads: a route's meters are found by its config, and shared by label
  // (one Micrometer series per label, whichever configuration it came from).
  private final Map<RouteConfig, RouteMeter> routes = new ConcurrentHashMap<>();
  private final Map<String, RouteMeter> routesByLabel = new ConcurrentHashMap<>();
  private final Map<String, Counter> closes = new ConcurrentHashMap<>();
  private final Map<String, Counter> decisions = new ConcurrentHashMap<>();
  private final Map<String, Timer> backendConnects = new ConcurrentHashMap<>();
  final Timer tlsPhase;
  final Timer admissionPhase;
  final Timer backendPhase;
  private final Timer[] inspection = new Timer[2];
  private final Counter[] inspectedMessages = new Counter[2];
  private final JvmGcMetrics gc = new JvmGcMetrics();
  private final Map<String, Meter> certificates = new HashMap<>();
  private final Map<String, Meter> insecureKeyFiles = new HashMap<>();

  public Metrics(List<RouteConfig> routeConfigs) {
    handshakes.put("accepted", handshakeCounter("accepted"));
    REJECTIONS.forEach(r -> handshakes.put(r, handshakeCounter(r)));
    for (String reason : REFUSED_AT_ACCEPT) {
      refusedAtAccept.put(
          reason,
          Counter.builder("wssguard.connections.refused")
              .description("Connections closed right after accept, before TLS and HTTP, by reason")
              .tag("reason", reason)
              .register(registry));
    }
    for (String stage : DROPPED_BANNED) {
      droppedBanned.put(
          stage,
          Counter.builder("wssguard.connections.dropped.banned")
              .description(
                  "Connections of a banned source closed before their upgrade, without an answer")
              .tag("stage", stage)
              .register(registry));
    }
    for (RouteConfig rc : routeConfigs) {
      route(rc);
    }
    tlsPhase = phase("tls");
    admissionPhase = phase("admission");
    backendPhase = phase("backend");
    for (int i = 0; i < 2; i++) {
      String direction = direction(i == 0);
      inspection[i] =
          Timer.builder("wssguard.inspection.sample")
              .description(
                  "Time one sampled socket read spent in frame inspection and per-frame policy (1 read in "
                      + ConnectionMeter.INSPECTION_SAMPLE_EVERY
                      + ")")
              .tag("direction", direction)
              .serviceLevelObjectives(INSPECTION_BUCKETS)
              .register(registry);
      inspectedMessages[i] =
          Counter.builder("wssguard.inspection.sampled.messages")
              .description(
                  "Messages completed in the sampled reads: per-message cost = seconds_sum / this")
              .tag("direction", direction)
              .register(registry);
    }
  }

  /** {@code example.com/chat}, or just the path prefix when the route matches any host. */
  public static String routeLabel(RouteConfig rc) {
    return (rc.host() == null ? "" : rc.host()) + rc.pathPrefix();
  }

  static String direction(boolean fromClient) {
    return fromClient ? "client_to_backend" : "backend_to_client";
  }

  /**
   * Close codes as labels: RFC 6455's own codes each, registered (3xxx) and private (4xxx) ones
   * folded.
   */
  static String closeCodeLabel(int code) {
    if (code >= CloseCodes.NORMAL && code <= CloseCodes.TLS_HANDSHAKE) {
      return Integer.toString(code);
    }
    if (code >= 3000 && code <= 3999) {
      return "3xxx";
    }
    if (code >= 4000 && code <= 4999) {
      return "4xxx";
    }
    return "other";
  }

  /** The meters of one configured route. */
  public RouteMeter route(RouteConfig rc) {
    RouteMeter m = routes.get(rc);
    return m != null
        ? m
        : routes.computeIfAbsent(
            rc,
            k ->
                routesByLabel.computeIfAbsent(
                    routeLabel(k), label -> new RouteMeter(registry, label)));
  }

  public Iterable<RouteMeter> routes() {
    return routesByLabel.values();
  }

  public String scrape() {
    return registry.scrape();
  }

  // ---- read back, for the console (off the relay's path) ----

  /** The overview's counters now (see {@link MetricsSample}). */
  public MetricsSample sample() {
    Map<String, Long> outcomes = new LinkedHashMap<>();
    handshakes.forEach((k, c) -> outcomes.put(k, (long) c.count()));
    Map<String, Long> refused = new LinkedHashMap<>();
    refusedAtAccept.forEach((k, c) -> refused.put(k, (long) c.count()));
    List<MetricsSample.Route> perRoute = new ArrayList<>();
    for (RouteMeter r : routesByLabel.values()) {
      perRoute.add(
          new MetricsSample.Route(
              r.label,
              r.open.get(),
              (long) r.messages[0].count(),
              (long) r.messages[1].count(),
              (long) r.bytes[0].count(),
              (long) r.bytes[1].count()));
    }
    perRoute.sort(Comparator.comparing(MetricsSample.Route::route));
    Map<String, MetricsSample.Timed> inspected = new LinkedHashMap<>();
    for (int i = 0; i < 2; i++) {
      inspected.put(
          direction(i == 0),
          new MetricsSample.Timed(
              (long) inspectedMessages[i].count(), inspection[i].totalTime(TimeUnit.SECONDS)));
    }
    List<MetricsSample.Backend> servers = new ArrayList<>();
    for (Gauge g : registry.find("wssguard.backend.up").gauges()) {
      String group = g.getId().getTag("group");
      String server = g.getId().getTag("server");
      Gauge conns =
          registry
              .find("wssguard.backend.connections")
              .tag("group", group)
              .tag("server", server)
              .gauge();
      servers.add(
          new MetricsSample.Backend(
              group, server, g.value() > 0, conns == null ? 0 : (long) conns.value()));
    }
    return new MetricsSample(
        System.currentTimeMillis(),
        outcomes,
        refused,
        perRoute,
        timed(tlsPhase),
        timed(admissionPhase),
        inspected,
        servers);
  }

  /** One counter of what a monitor-mode policy would have done. */
  public record WouldHave(String policy, String limit, String action, long count) {}

  /**
   * What monitor-mode policies would have done ({@code wssguard_policy_decisions_total} with {@code
   * enforced=false}), by policy, limit and action.
   */
  public List<WouldHave> wouldHave() {
    List<WouldHave> out = new ArrayList<>();
    for (Counter c :
        registry.find("wssguard.policy.decisions").tag("enforced", "false").counters()) {
      out.add(
          new WouldHave(
              c.getId().getTag("policy"),
              c.getId().getTag("limit"),
              c.getId().getTag("action"),
              (long) c.count()));
    }
    out.sort(Comparator.comparing(WouldHave::policy).thenComparing(WouldHave::limit));
    return out;
  }

  private static MetricsSample.Timed timed(Timer t) {
    return new MetricsSample.Timed(t.count(), t.totalTime(TimeUnit.SECONDS));
  }

  // ---- handshakes ----

  void handshake(String outcome) {
    Counter c = handshakes.get(outcome);
    if (c != null) {
      c.increment();
    }
  }

  public void accepted() {
    handshake("accepted");
  }

  public void admissionNanos(long nanos) {
    admissionPhase.record(nanos, TimeUnit.NANOSECONDS);
  }

  // ---- accept ----

  /**
   * A connection closed right after accept; {@code reason} is one of {@link #REFUSED_AT_ACCEPT}.
   */
  public void connectionRefused(String reason) {
    refusedAtAccept.get(reason).increment();
  }

  /**
   * A connection of a banned source closed before its upgrade; {@code stage} is one of {@link
   * #DROPPED_BANNED}.
   */
  public void droppedBanned(String stage) {
    droppedBanned.get(stage).increment();
  }

  /** The open client connections and the cap they are held to. */
  public void connections(IntSupplier open, int max) {
    Gauge.builder("wssguard.accepted.connections", open, IntSupplier::getAsInt)
        .description("Client connections open now, from accept to close, counted against the cap")
        .strongReference(true)
        .register(registry);
    Gauge.builder("wssguard.accepted.connections.max", () -> max)
        .description("Client connections allowed at once (limits.maxConnections)")
        .strongReference(true)
        .register(registry);
  }

  // ---- per connection ----

  void closeSent(boolean toClient, int code) {
    closeCounter(
        "wssguard.closes.sent",
        "Close frames the proxy itself sent, by code",
        "to",
        toClient ? "client" : "backend",
        code);
  }

  void closeReceived(boolean fromClient, int code) {
    closeCounter(
        "wssguard.closes.received",
        "Close frames received from peers (and relayed), by code",
        "from",
        fromClient ? "client" : "backend",
        code);
  }

  void protocolViolation(boolean fromClient, int code) {
    closeCounter(
        "wssguard.protocol.violations",
        "RFC 6455 violations by peers, by the close code they were answered with",
        "direction",
        direction(fromClient),
        code);
  }

  /** One counter per metric, peer tag and close code, registered on first use. */
  private void closeCounter(
      String name, String description, String peerTag, String peer, int code) {
    String label = closeCodeLabel(code);
    closes
        .computeIfAbsent(
            name + '|' + peer + '|' + label,
            k ->
                Counter.builder(name)
                    .description(description)
                    .tag(peerTag, peer)
                    .tag("code", label)
                    .register(registry))
        .increment();
  }

  void inspectionSample(boolean fromClient, long nanos, long messages) {
    int i = fromClient ? 0 : 1;
    inspection[i].record(nanos, TimeUnit.NANOSECONDS);
    if (messages > 0) {
      inspectedMessages[i].increment((double) messages);
    }
  }

  // ---- policy ----

  void decision(String policy, String limit, String action, boolean enforced) {
    decisions
        .computeIfAbsent(
            "d\0" + policy + '\0' + limit + '\0' + action + '\0' + enforced,
            k ->
                Counter.builder("wssguard.policy.decisions")
                    .description(
                        "Limits hit, by policy, limit and action; enforced=false: monitor mode, would have")
                    .tag("policy", policy)
                    .tag("limit", limit)
                    .tag("action", action)
                    .tag("enforced", Boolean.toString(enforced))
                    .register(registry))
        .increment();
  }

  void anomaly(String route, String policy, String rule, String action, boolean enforced) {
    decisions
        .computeIfAbsent(
            "a\0" + route + '\0' + policy + '\0' + rule + '\0' + action + '\0' + enforced,
            k ->
                Counter.builder("wssguard.anomalies")
                    .description(
                        "Anomaly rules fired, by route, policy, rule (anomaly.<name>) and action;"
                            + " enforced=false: monitor, or would have")
                    .tag("route", route)
                    .tag("policy", policy)
                    .tag("rule", rule)
                    .tag("action", action)
                    .tag("enforced", Boolean.toString(enforced))
                    .register(registry))
        .increment();
  }

  void strike(String policy, String limit) {
    decisions
        .computeIfAbsent(
            "s\0" + policy + '\0' + limit,
            k ->
                Counter.builder("wssguard.strikes")
                    .tag("policy", policy)
                    .tag("limit", limit)
                    .register(registry))
        .increment();
  }

  void banAdded(String by) {
    decisions
        .computeIfAbsent(
            "b\0" + by,
            k -> Counter.builder("wssguard.bans.added").tag("by", by).register(registry))
        .increment();
  }

  void banRemoved() {
    decisions
        .computeIfAbsent(
            "u",
            k ->
                Counter.builder("wssguard.bans.removed")
                    .description("Bans lifted before their end through the admin API")
                    .register(registry))
        .increment();
  }

  void bans(Bans bans) {
    Gauge.builder("wssguard.bans.active", bans, b -> b.active().size())
        .description("Bans in force")
        .register(registry);
    FunctionCounter.builder("wssguard.bans.expired", bans, b -> b.expiredCount())
        .description("Bans that ran out")
        .register(registry);
    FunctionCounter.builder(
            "wssguard.ban.journal.damaged",
            bans,
            b -> b instanceof JournalBans j ? j.journalDamaged() : 0)
        .description(
            "Ban journals found damaged at start: valid lines kept, the file moved aside (see the"
                + " error in the log)")
        .register(registry);
  }

  /**
   * The fleet (docs/FLEET.md): its link to Redis, the bans and strikes it shares and the
   * reconciliation of shared budgets; read from {@code fleet}, which the caller keeps for the life
   * of the process (the registry holds it weakly).
   */
  public void cluster(FleetView fleet) {
    Gauge.builder("wssguard.cluster.connected", fleet, f -> f.connected() ? 1 : 0)
        .description("1 while the fleet's Redis is connected and its bans loaded, else 0")
        .register(registry);
    FunctionCounter.builder("wssguard.cluster.bans.published", fleet, FleetView::bansPublished)
        .description("Bans and unbans made here and written to the fleet's Redis")
        .register(registry);
    FunctionCounter.builder("wssguard.cluster.bans.received", fleet, FleetView::bansReceived)
        .description("Bans and unbans from other nodes applied here")
        .register(registry);
    FunctionCounter.builder("wssguard.cluster.bans.refused", fleet, FleetView::bansRefused)
        .description(
            "Entries and messages from the fleet's Redis refused: malformed, too wide, too long, or"
                + " a never-ban block here")
        .register(registry);
    FunctionCounter.builder(
            "wssguard.cluster.strikes.published", fleet, FleetView::strikesPublished)
        .description("Strikes struck here and added to the fleet's count in Redis")
        .register(registry);
    FunctionCounter.builder("wssguard.cluster.syncs", fleet, FleetView::syncs)
        .description("Reconciliations of shared budgets and heartbeats completed")
        .register(registry);
    FunctionCounter.builder("wssguard.cluster.sync.failures", fleet, FleetView::syncFailures)
        .description("Reconciliations Redis did not answer in time")
        .register(registry);
    FunctionCounter.builder("wssguard.cluster.sync.seconds", fleet, FleetView::syncSeconds)
        .description("Time spent in reconciliations (divide by wssguard_cluster_syncs_total)")
        .register(registry);
    Gauge.builder("wssguard.cluster.sync.lag.seconds", fleet, FleetView::syncLagSeconds)
        .description("Time since the last completed reconciliation: how old the fleet's counts are")
        .register(registry);
    Gauge.builder("wssguard.cluster.sync.interval.seconds", fleet, FleetView::syncIntervalSeconds)
        .description("cluster.syncInterval")
        .register(registry);
    Gauge.builder("wssguard.cluster.redis.rtt.seconds", fleet, FleetView::redisRttSeconds)
        .description("Round trip of the last reconciliation's pipelined batch to Redis")
        .register(registry);
    Gauge.builder("wssguard.cluster.nodes", fleet, FleetView::nodesAlive)
        .description("Nodes of the fleet with a recent heartbeat, this one included")
        .register(registry);
    Gauge.builder("wssguard.cluster.shared.sources", fleet, FleetView::sharedSources)
        .description("Sources whose scope: fleet budgets this node shares now")
        .register(registry);
    FunctionCounter.builder(
            "wssguard.cluster.connections.closed", fleet, FleetView::connectionsClosed)
        .description(
            "Connections closed with 1008 because the fleet held more than a shared"
                + " perIp.connections max")
        .register(registry);
    FunctionCounter.builder("wssguard.cluster.counts.refused", fleet, FleetView::countsRefused)
        .description("Counts and heartbeats read from Redis and refused as malformed")
        .register(registry);
  }

  void reloads(PolicyReloads reloads) {
    FunctionCounter.builder("wssguard.policy.reloads", reloads, PolicyReloads::appliedCount)
        .tag("result", "applied")
        .register(registry);
    FunctionCounter.builder("wssguard.policy.reloads", reloads, PolicyReloads::failedCount)
        .tag("result", "failed")
        .register(registry);
    Gauge.builder(
            "wssguard.reload.last.success.timestamp", reloads, r -> r.lastAppliedMillis() / 1000.0)
        .description("Unix time of the last applied reload (the start, before any reload)")
        .baseUnit("seconds")
        .register(registry);
    Gauge.builder("wssguard.reload.last.successful", reloads, r -> r.lastError() == null ? 1 : 0)
        .description("0 while the last reload was refused and the previous configuration runs")
        .register(registry);
  }

  void baselines(AnomalyWatch watch) {
    FunctionCounter.builder("wssguard.baseline.observations.dropped", watch, AnomalyWatch::dropped)
        .description(
            "Connection opens and closes the live baselines did not learn because their queue was full")
        .register(registry);
  }

  void logDropped(JsonLog log) {
    FunctionCounter.builder("wssguard.log.lines.dropped", log, JsonLog::dropped)
        .description("Event log lines dropped because stdout could not keep up")
        .register(registry);
  }

  void recording(TrafficRecorder recorder) {
    FunctionCounter.builder("wssguard.record.written", recorder, TrafficRecorder::written)
        .description("Traffic records (handshakes, frames, ends) written to the recording files")
        .register(registry);
    FunctionCounter.builder("wssguard.record.dropped", recorder, TrafficRecorder::dropped)
        .description(
            "Traffic records dropped because the recording queue was full or the disk failed")
        .register(registry);
  }

  void logSuppressed(SourceLineLimit limit) {
    FunctionCounter.builder("wssguard.log.lines.suppressed", limit, SourceLineLimit::suppressed)
        .description(
            "Rejection log lines left out because their source had "
                + SourceLineLimit.PER_SECOND
                + " in the same second")
        .register(registry);
  }

  // ---- backends and TLS ----

  void backends(Map<String, BackendGroup> groups) {
    for (BackendGroup g : groups.values()) {
      for (BackendServer s : g.servers()) {
        ToDoubleFunction<BackendServer> up = b -> b.isDown(System.nanoTime()) ? 0 : 1;
        Gauge.builder("wssguard.backend.up", s, up)
            .description(
                "1 while the server is considered healthy, 0 while marked down after a failure")
            .tag("group", g.config().name())
            .tag("server", s.uri().toString())
            .register(registry);
        Gauge.builder("wssguard.backend.connections", s, BackendServer::activeConnections)
            .tag("group", g.config().name())
            .tag("server", s.uri().toString())
            .register(registry);
      }
    }
  }

  /** Time from dialing a group until its 101 (or refusal), successful upgrades only. */
  public void backendConnected(String group, long nanos) {
    backendPhase.record(nanos, TimeUnit.NANOSECONDS);
    backendConnects
        .computeIfAbsent(
            group,
            k ->
                Timer.builder("wssguard.backend.connect")
                    .description("Dial, upgrade request and checked 101 of a backend, by group")
                    .tag("group", group)
                    .serviceLevelObjectives(HANDSHAKE_BUCKETS)
                    .register(registry))
        .record(nanos, TimeUnit.NANOSECONDS);
  }

  /**
   * Private key files of {@code listener} readable by more than the service (logged at start and at
   * every reload); replaces the count a previous start or reload set.
   */
  public synchronized void tlsKeyFilesInsecure(String listener, int count) {
    removeMeter(insecureKeyFiles, listener);
    insecureKeyFiles.put(
        listener,
        Gauge.builder("wssguard.tls.key.files.insecure", () -> count)
            .description(
                "Private key files readable by others, or by a group other than the service's own")
            .tag("listener", listener)
            .register(registry));
  }

  /** {@code listener} no longer serves TLS (removed, or plain now): its TLS series go. */
  synchronized void tlsGone(String listener) {
    certificates(listener, Map.of());
    removeMeter(insecureKeyFiles, listener);
  }

  /**
   * Unregisters the meter {@code meters} holds under {@code key}, if any, so it can be replaced.
   */
  private void removeMeter(Map<String, Meter> meters, String key) {
    Meter old = meters.remove(key);
    if (old != null) {
      registry.remove(old);
    }
  }

  void tlsHandshake(String listener, long nanos) {
    tlsPhase.record(nanos, TimeUnit.NANOSECONDS);
  }

  void tlsResumed(String listener) {
    decisions
        .computeIfAbsent(
            "r\0" + listener,
            k ->
                Counter.builder("wssguard.tls.handshakes.resumed")
                    .description("TLS handshakes that resumed a session instead of running in full")
                    .tag("listener", listener)
                    .register(registry))
        .increment();
  }

  void tlsFailure(String listener, String reason) {
    decisions
        .computeIfAbsent(
            "t\0" + listener + '\0' + reason,
            k ->
                Counter.builder("wssguard.tls.handshake.failures")
                    .tag("listener", listener)
                    .tag("reason", reason)
                    .register(registry))
        .increment();
  }

  // ---- the process, the build, certificates ----

  /**
   * Heap, GC pauses, threads, CPU, uptime and open file descriptors against their limit
   * (Micrometer's {@code jvm_*} and {@code process_*} series), and {@code wssguard_build_info}.
   */
  void process(String version, String tcnative) {
    new JvmMemoryMetrics().bindTo(registry);
    gc.bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    new FileDescriptorMetrics().bindTo(registry);
    new UptimeMetrics().bindTo(registry);
    Gauge.builder("wssguard.build.info", () -> 1)
        .description("Always 1; the labels name the wssguard, netty-tcnative and Java versions")
        .tag("version", version)
        .tag("tcnative", tcnative)
        .tag("java", System.getProperty("java.version"))
        .register(registry);
  }

  /**
   * Sets the certificates a TLS listener serves, by name, with their expiry: one {@code
   * wssguard_certificate_expiry_seconds} series each, counting down to {@code notAfter} (negative
   * once expired). Series of certificates the listener no longer serves are removed, so this can be
   * called again when certificates are replaced.
   */
  synchronized void certificates(String listener, Map<String, Instant> notAfter) {
    String prefix = listener + '\0';
    certificates
        .entrySet()
        .removeIf(
            e -> {
              boolean gone =
                  e.getKey().startsWith(prefix)
                      && !notAfter.containsKey(e.getKey().substring(prefix.length()));
              if (gone) {
                registry.remove(e.getValue());
              }
              return gone;
            });
    notAfter.forEach(
        (name, end) -> {
          removeMeter(certificates, prefix + name);
          Supplier<Number> left = () -> Duration.between(Instant.now(), end).toMillis() / 1000.0;
          certificates.put(
              prefix + name,
              Gauge.builder("wssguard.certificate.expiry", left)
                  .description(
                      "Seconds until the certificate (its chain's earliest notAfter) expires")
                  .baseUnit("seconds")
                  .tag("listener", listener)
                  .tag("name", name)
                  .register(registry));
        });
  }

  void close() {
    gc.close();
  }

  // ---- helpers ----

  private Counter handshakeCounter(String outcome) {
    return Counter.builder("wssguard.handshakes")
        .description(
            "WebSocket opening handshakes by outcome: accepted or the reason it was refused")
        .tag("outcome", outcome)
        .register(registry);
  }

  private Timer phase(String phase) {
    return Timer.builder("wssguard.handshake.phase")
        .description(
            "Time a handshake spends in TLS, in policy admission, and waiting for the backend")
        .tag("phase", phase)
        .serviceLevelObjectives(HANDSHAKE_BUCKETS)
        .register(registry);
  }

  private static Duration[] durations(long... nanos) {
    Duration[] d = new Duration[nanos.length];
    for (int i = 0; i < nanos.length; i++) {
      d[i] = Duration.ofNanos(nanos[i]);
    }
    return d;
  }
}
