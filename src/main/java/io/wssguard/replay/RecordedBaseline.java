package io.wssguard.replay;

import io.wssguard.baseline.RouteBaseline;
import io.wssguard.traffic.RecordedHandshake;
import io.wssguard.traffic.TrafficReader;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * A {@link RouteBaseline} learned from a recording: the recorded traffic of one route (or of all,
 * pooled) fed to it as the live proxy would, each connection's messages counted per {@link
 * RouteBaseline#WINDOW_MS} window of recorded time (aligned on the epoch second, as a live window
 * tick would be), messages counted as the gate counts them (a data message, a ping or a pong), a
 * source being its TCP peer's address. Sources idle for {@link #IDLE_MS} of recorded time are
 * folded as the recording goes, the rest at its end.
 */
public final class RecordedBaseline implements TrafficReader.Visitor {
  /** A source with no open connection for this long has ended a spell of activity. */
  static final long IDLE_MS = 60_000;

  private static final long FOLD_EVERY_MS = 10_000;
  private static final int OP_CONTINUATION = 0x0;
  private static final int OP_TEXT = 0x1;
  private static final int OP_BINARY = 0x2;
  private static final int OP_PING = 0x9;
  private static final int OP_PONG = 0xA;

  /** What was learned, from what. */
  public record Learned(
      RouteBaseline baseline, Set<String> routes, TrafficReader.Summary traffic) {}

  private final RouteBaseline baseline = new RouteBaseline(Integer.MAX_VALUE);
  private final String routeFilter;
  private final Set<String> routes = new TreeSet<>();
  private final Map<Long, Connection> open = new HashMap<>();
  private long lastFoldMs = Long.MIN_VALUE;
  private long lastMs;

  private RecordedBaseline(String routeFilter) {
    this.routeFilter = routeFilter;
  }

  /** Learns from the recording in {@code traffic}, every route pooled or only {@code route}. */
  public static Learned learn(Path traffic, String route) throws IOException {
    RecordedBaseline learner = new RecordedBaseline(route);
    TrafficReader.Summary summary = TrafficReader.read(traffic, learner);
    learner.finish();
    return new Learned(learner.baseline, learner.routes, summary);
  }

  /** One connection's current window. */
  private static final class Connection {
    final String source;
    long window = Long.MIN_VALUE;
    long fromClient;
    long fromBackend;
    long messageBytes;

    Connection(String source) {
      this.source = source;
    }
  }

  @Override
  public void handshake(long conn, long epochMs, RecordedHandshake h) {
    if (routeFilter != null && !routeFilter.equals(h.route())) {
      return;
    }
    at(epochMs);
    routes.add(h.route());
    String source = h.peer().getHostAddress();
    boolean opened = h.status() == 101;
    baseline.handshake(source, epochMs, opened);
    if (opened) {
      open.put(conn, new Connection(source));
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
    Connection c = open.get(conn);
    if (c == null) {
      return;
    }
    long window = Math.floorDiv(epochMs, RouteBaseline.WINDOW_MS);
    if (window != c.window) {
      endWindow(c);
      c.window = window;
    }
    boolean startsMessage = opcode == OP_TEXT || opcode == OP_BINARY;
    if (startsMessage || opcode == OP_PING || opcode == OP_PONG) {
      if (fromClient) {
        c.fromClient++;
      } else {
        c.fromBackend++;
      }
    }
    if (fromClient && (startsMessage || opcode == OP_CONTINUATION)) {
      c.messageBytes = startsMessage ? size : c.messageBytes + size;
      if (fin) {
        baseline.message(c.source, c.messageBytes);
      }
    }
  }

  @Override
  public void end(long conn, long epochMs, int who, int code) {
    Connection c = open.remove(conn);
    if (c != null) {
      at(epochMs);
      endWindow(c);
      baseline.closed(c.source, epochMs);
    }
  }

  private void endWindow(Connection c) {
    baseline.connectionWindow(c.source, c.fromClient, c.fromBackend);
    c.fromClient = 0;
    c.fromBackend = 0;
  }

  /** Recorded time moved to {@code epochMs}: now and then, fold the sources gone idle. */
  private void at(long epochMs) {
    lastMs = Math.max(lastMs, epochMs);
    if (lastFoldMs == Long.MIN_VALUE) {
      lastFoldMs = epochMs;
    } else if (epochMs - lastFoldMs >= FOLD_EVERY_MS) {
      baseline.foldIdle(epochMs, IDLE_MS);
      lastFoldMs = epochMs;
    }
  }

  /** Connections still open when the recording ends count as ending there. */
  private void finish() {
    List<Long> conns = new ArrayList<>(open.keySet());
    conns.sort(null);
    for (long conn : conns) {
      end(conn, lastMs, 0, 1006);
    }
    baseline.foldAll();
  }
}
