package io.wssguard.replay;

import io.wssguard.ban.MemoryBans;
import io.wssguard.event.SecurityEvents;
import io.wssguard.frame.FrameGate;
import io.wssguard.handshake.HeaderTokens;
import io.wssguard.limit.CompiledPolicy;
import io.wssguard.limit.ConnectionGate;
import io.wssguard.limit.Enforcer;
import io.wssguard.limit.HandshakeAdmission;
import io.wssguard.limit.Limit;
import io.wssguard.limit.SourceTable;
import io.wssguard.traffic.RecordedHandshake;
import io.wssguard.traffic.TrafficReader;
import io.wssguard.traffic.TrafficRecorder;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code wssguard policy replay}: recorded traffic run through the enforcement code the proxy runs
 * ({@link HandshakeAdmission}, {@link ConnectionGate}, {@link Enforcer} with its strikes and bans,
 * the source table) on a {@link ReplayClock}, reporting what the policy would have done.
 *
 * <p>Events are replayed in file order, the clock at each one's recorded time (never backwards). A
 * throttled frame waits, as the relay would, for its bucket: the connection's later frames come
 * that much later. A closed connection's later frames are ignored. Only client-to-backend frames
 * are limited, as in the proxy. One thread, no network, so the result depends on the recording and
 * the policy alone.
 */
public final class PolicyReplay implements TrafficReader.Visitor {
  /** A frame throttled this often in a row is given up (a bucket that can never fill). */
  private static final int MAX_THROTTLE_WAITS = 10_000;

  private static final int OP_CONTINUATION = 0x0;
  private static final int OP_TEXT = 0x1;
  private static final int OP_BINARY = 0x2;
  private static final int OP_CLOSE = 0x8;

  private final CompiledPolicy policy;
  private final String routeFilter;
  private final ReplayClock clock = new ReplayClock();
  private final ReplayReport report;
  private final Events events = new Events();
  private final Enforcer enforcer;
  private final HandshakeAdmission admission;
  private final Map<Long, Connection> open = new HashMap<>();

  /** The connection or handshake being replayed, for the events' route. */
  private String currentRoute;

  private PolicyReplay(CompiledPolicy policy, String routeFilter) {
    this.policy = policy;
    this.routeFilter = routeFilter;
    this.report = new ReplayReport(policy.name(), routeFilter);
    this.enforcer = new Enforcer(new MemoryBans(clock), events, clock);
    this.admission = new HandshakeAdmission(SourceTable.withDefaults(clock), enforcer);
  }

  /**
   * Replays the recording in {@code traffic} under {@code policy}, every route or only {@code
   * route} (a route label as in the recording, e.g. {@code /chat}).
   */
  public static ReplayReport run(Path traffic, CompiledPolicy policy, String route)
      throws IOException {
    return run(traffic, List.of(policy), route).get(0);
  }

  /**
   * Replays the recording under each of {@code policies} independently, in one read of it (for
   * {@code --against}); the reports in the same order.
   */
  public static List<ReplayReport> run(Path traffic, List<CompiledPolicy> policies, String route)
      throws IOException {
    List<PolicyReplay> replays = new ArrayList<>();
    for (CompiledPolicy p : policies) {
      replays.add(new PolicyReplay(p, route));
    }
    TrafficReader.Summary summary =
        TrafficReader.read(traffic, replays.size() == 1 ? replays.get(0) : new Each(replays));
    List<ReplayReport> reports = new ArrayList<>();
    for (PolicyReplay replay : replays) {
      for (Connection c : replay.open.values()) {
        replay.admission.release(c.admitted);
      }
      replay.report.traffic(summary.files(), summary.records(), summary.truncatedFiles());
      reports.add(replay.report);
    }
    return reports;
  }

  /** Hands every record to each replay in turn. */
  private record Each(List<PolicyReplay> replays) implements TrafficReader.Visitor {
    @Override
    public void handshake(long conn, long epochMs, RecordedHandshake handshake) {
      for (PolicyReplay r : replays) {
        r.handshake(conn, epochMs, handshake);
      }
    }

    @Override
    public void frame(
        long conn,
        long epochMs,
        boolean fromClient,
        int opcode,
        boolean fin,
        boolean rsv1,
        long size) {
      for (PolicyReplay r : replays) {
        r.frame(conn, epochMs, fromClient, opcode, fin, rsv1, size);
      }
    }

    @Override
    public void end(long conn, long epochMs, int who, int code) {
      for (PolicyReplay r : replays) {
        r.end(conn, epochMs, who, code);
      }
    }
  }

  /** One admitted connection's replay state. */
  private static final class Connection {
    final HandshakeAdmission.Admitted admitted;
    final ConnectionGate gate;
    final String route;
    final String source;
    long lagNanos;
    long messageBytes;
    boolean messageDropped;

    Connection(HandshakeAdmission.Admitted admitted, ConnectionGate gate, String route) {
      this.admitted = admitted;
      this.gate = gate;
      this.route = route;
      this.source = admitted.client().getHostAddress();
    }
  }

  @Override
  public void handshake(long conn, long epochMs, RecordedHandshake h) {
    if (routeFilter != null && !routeFilter.equals(h.route())) {
      return;
    }
    clock.moveTo(epochMs, 0);
    currentRoute = h.route();
    RecordedRequest request = new RecordedRequest(h);
    HandshakeAdmission.Screened screened = admission.screen(request, policy, h.route(), NO_ANSWER);
    HandshakeAdmission.Admitted admitted =
        screened == null
            ? null
            : admission.admit(
                request, policy, screened, h.route(), h.path(), offered(h), NO_ANSWER);
    report.handshake(admitted != null);
    if (admitted == null) {
      return;
    }
    if (h.status() != 101) {
      // Refused when recorded (by the policy then in force, or the backend): no conversation to
      // replay, only the handshake counted.
      admission.release(admitted);
      return;
    }
    ConnectionGate gate =
        new ConnectionGate(
            () -> policy, admitted.source(), enforcer, admitted.client(), clock.nanos());
    open.put(conn, new Connection(admitted, gate, h.route()));
  }

  @Override
  public void frame(
      long conn,
      long epochMs,
      boolean fromClient,
      int opcode,
      boolean fin,
      boolean rsv1,
      long size) {
    Connection c = fromClient ? open.get(conn) : null;
    if (c == null || opcode == OP_CLOSE) {
      return;
    }
    clock.moveTo(epochMs, c.lagNanos);
    currentRoute = c.route;
    boolean control = (opcode & 0x8) != 0;
    boolean startsMessage = opcode == OP_TEXT || opcode == OP_BINARY;
    boolean drop = opcode == OP_CONTINUATION && c.messageDropped;
    if (!drop) {
      int verdict = ask(c, opcode, size, startsMessage);
      if (verdict == FrameGate.CLOSE) {
        report.count(c.source, c.route, c.gate.closeReason(), "close", c.gate.closeCode());
        open.remove(conn);
        admission.release(c.admitted);
        return;
      }
      drop = verdict == FrameGate.DROP;
      if (drop) {
        report.count(c.source, c.route, c.gate.exceeded().name(), "drop", 0);
      }
    }
    if (!control) {
      if (startsMessage || drop) {
        c.messageDropped = drop;
      }
      c.messageBytes = startsMessage ? size : c.messageBytes + size;
      if (fin) {
        c.messageBytes = 0;
        c.messageDropped = false;
      }
    }
  }

  /** Asks the gate, waiting out throttles as the relay would; returns PASS, DROP or CLOSE. */
  private int ask(Connection c, int opcode, long size, boolean startsMessage) {
    long before = opcode == OP_CONTINUATION ? c.messageBytes : 0;
    for (int waits = 0; ; waits++) {
      c.gate.tick();
      int verdict = c.gate.onFrame(opcode, size, startsMessage, before);
      if (verdict != FrameGate.THROTTLE || waits == MAX_THROTTLE_WAITS) {
        return verdict == FrameGate.THROTTLE ? FrameGate.PASS : verdict;
      }
      Limit limit = c.gate.exceeded();
      report.count(c.source, c.route, limit.name(), "throttle", 0);
      long wait = c.gate.throttleNanos();
      c.lagNanos += wait;
      clock.advance(wait);
    }
  }

  @Override
  public void end(long conn, long epochMs, int who, int code) {
    Connection c = open.remove(conn);
    if (c != null) {
      clock.moveTo(epochMs, c.lagNanos);
      currentRoute = c.route;
      if (who == TrafficRecorder.CLOSED_BY_PROXY) {
        // Not the replay's own policy close (that connection is gone from open): the recorded
        // proxy closed it for a breach of the protocol (or for a limit of the policy recorded
        // under, which the gate ignores by its code).
        c.gate.protocolViolation(code);
      }
      admission.release(c.admitted);
    }
  }

  private static List<String> offered(RecordedHandshake h) {
    return h.subprotocols() == null ? List.of() : HeaderTokens.elements(h.subprotocols());
  }

  private static final HandshakeAdmission.Refusal NO_ANSWER = (status, body) -> {};

  /** A recorded request's facts, as the live exchange would have given them. */
  private record RecordedRequest(RecordedHandshake h) implements HandshakeAdmission.Request {
    @Override
    public InetAddress peer() {
      return h.peer();
    }

    @Override
    public List<String> forwardedFor() {
      return h.forwardedFor() == null ? List.of() : List.of(h.forwardedFor());
    }

    @Override
    public int headerBlockBytes() {
      return h.headerBytes();
    }

    @Override
    public boolean hasHeader(String name) {
      return Arrays.asList(h.headerNames().split(",")).contains(name.toLowerCase(Locale.ROOT));
    }

    @Override
    public List<String> origins() {
      return h.origin() == null ? List.of() : List.of(h.origin());
    }
  }

  /** The enforcement code's reports: refusals, strikes and bans go into the replay's report. */
  private final class Events implements SecurityEvents {
    @Override
    public void policyRefused(
        InetAddress client,
        String route,
        String policyName,
        boolean monitor,
        String limit,
        int status,
        String why) {
      if (!monitor) {
        report.count(client.getHostAddress(), route, limit, "reject", 0);
      }
    }

    @Override
    public void handshakeRejected(
        InetAddress client, String route, String reason, int status, String detail) {
      report.count(client.getHostAddress(), route, "ban", "reject", 0);
    }

    @Override
    public void strike(InetAddress client, String policyName, String limit, int count, int max) {
      report.strike(limit);
    }

    @Override
    public void banned(
        String target, String policyName, Duration duration, String reason, String by) {
      report.count(target, currentRoute, "strikes", "ban", 0);
    }
  }
}
