package io.wssguard.observe;

import io.wssguard.anomaly.AnomalyWatch;
import io.wssguard.backend.BackendGroup;
import io.wssguard.ban.Bans;
import io.wssguard.config.ProxyConfig;
import io.wssguard.event.SecurityEvents;
import io.wssguard.net.Cidr;
import io.wssguard.tls.BoringSslLibrary;
import io.wssguard.traffic.TrafficRecorder;
import java.net.InetAddress;
import java.time.Instant;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import org.xnio.ChannelListener;
import org.xnio.StreamConnection;
import org.xnio.ssl.SslConnection;

/**
 * Everything one proxy reports about itself: its metrics registry, the JSON event log and the
 * top-source tables (the admin listener serves them). Created by the proxy server at start, closed
 * with it.
 */
public final class Observability implements AutoCloseable {
  /** Sources tracked per top table; the admin API returns at most 100 of them. */
  static final int TOP_CAPACITY = 512;

  final Metrics metrics;
  final JsonLog log;
  final SecurityLog events;
  final TopSources topMessages = new TopSources(TOP_CAPACITY);
  final TopSources topViolations = new TopSources(TOP_CAPACITY);
  final boolean accessLog;
  final Bans bans;
  final Instant started = Instant.now();
  private volatile PolicyReloads reloads;
  private volatile AnomalyWatch anomalies;
  private volatile FleetView fleet;
  private volatile Kernel kernel;

  /** Traffic recording ({@code record}), null when off. */
  private final TrafficRecorder recorder;

  public Observability(ProxyConfig config, Bans bans, Map<String, BackendGroup> groups) {
    this.metrics = new Metrics(config.routes());
    this.log = new JsonLog(System.out);
    this.events = new SecurityLog(metrics, log, topViolations);
    this.accessLog = config.admin().accessLog();
    this.bans = bans;
    metrics.backends(groups);
    metrics.bans(bans);
    metrics.logDropped(log);
    String version = Observability.class.getPackage().getImplementationVersion();
    metrics.process(version == null ? "development" : version, BoringSslLibrary.version());
    this.recorder =
        config.record() == null
            ? null
            : TrafficRecorder.start(
                config.record().dir(), config.record().maxBytes(), config.record().sample());
    if (recorder != null) {
      metrics.recording(recorder);
    }
  }

  /** The traffic recorder, or null when {@code record} is off. */
  public TrafficRecorder recorder() {
    return recorder;
  }

  public Metrics metrics() {
    return metrics;
  }

  public SecurityEvents events() {
    return events;
  }

  /**
   * The meters of a relay just opened on {@code route}; counts it open until {@link
   * ConnectionMeter#ended}.
   */
  public ConnectionMeter connection(RouteMeter route, InetAddress client) {
    return new ConnectionMeter(this, route, client);
  }

  /**
   * The certificates a TLS listener serves now (name to {@code notAfter}), for {@code
   * wssguard_certificate_expiry_seconds}; call again after they are replaced.
   */
  public void certificates(String listener, Map<String, Instant> notAfter) {
    metrics.certificates(listener, notAfter);
  }

  /**
   * {@code listener} no longer serves TLS (removed, or plain now): its certificate and key series
   * go.
   */
  public void tlsGone(String listener) {
    metrics.tlsGone(listener);
  }

  /**
   * Wraps a TLS listener's open listener so that its handshakes are timed; each completed one is
   * then handed to {@code handshaken}.
   */
  public ChannelListener<StreamConnection> timeTls(
      String listener,
      ChannelListener<StreamConnection> open,
      ChannelListener<? super SslConnection> handshaken) {
    return new TlsHandshakes(metrics, listener, open, handshaken);
  }

  /**
   * Tells {@code watch} of every ban made or received from now on, whatever made it (strikes,
   * anomaly rules, the admin API, the fleet: each reports it as a {@code ban} event), on the thread
   * that made it.
   */
  public void watchBans(Consumer<Cidr> watch) {
    events.watchBans(watch);
  }

  /**
   * Connects the policy reloader: {@code POST /reload}, reload metrics, and reload events in the
   * log.
   */
  public synchronized void reloads(PolicyReloads reloads) {
    if (this.reloads == null && reloads != null) {
      metrics.reloads(reloads);
    }
    this.reloads = reloads;
  }

  /** Connects the live baselines and anomaly rules (for the relays and {@code /status}). */
  public void anomalies(AnomalyWatch watch) {
    if (this.anomalies == null && watch != null) {
      metrics.baselines(watch);
    }
    this.anomalies = watch;
  }

  /** The live baselines and anomaly rules, or null before they are connected. */
  public AnomalyWatch anomalies() {
    return anomalies;
  }

  /** The policy reloader, or null before one is connected. */
  public PolicyReloads reloads() {
    return reloads;
  }

  /** The fleet this proxy belongs to: its metrics, and its part of {@code /status}. */
  public synchronized void fleet(FleetView fleet) {
    if (this.fleet == null && fleet != null) {
      metrics.cluster(fleet);
    }
    this.fleet = fleet;
  }

  /** The fleet, or null without a {@code cluster} block. */
  public FleetView fleet() {
    return fleet;
  }

  public Bans bans() {
    return bans;
  }

  public Instant started() {
    return started;
  }

  /** Sources by messages relayed. */
  public TopSources topMessages() {
    return topMessages;
  }

  /** The last security events, for the console. */
  public RecentEvents recentEvents() {
    return events.recent();
  }

  /**
   * Connects the kernel firewall's state for listings: {@code backend} (ipset, nftables, iptables),
   * and whether its last update failed.
   */
  public void kernel(String backend, BooleanSupplier failing, LongSupplier updates) {
    this.kernel = new Kernel(backend, failing, updates);
  }

  /** The kernel firewall's state, or null when bans stay in the proxy. */
  public Kernel kernel() {
    return kernel;
  }

  /** The kernel firewall bans are copied to. */
  public record Kernel(String backend, BooleanSupplier failing, LongSupplier updates) {}

  /** Sources by violations. */
  public TopSources topViolations() {
    return topViolations;
  }

  @Override
  public synchronized void close() {
    if (recorder != null) {
      recorder.close();
    }
    metrics.close();
    log.close();
  }
}
