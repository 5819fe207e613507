package io.wssguard.relay;

import static io.wssguard.frame.CloseCodes.BAD_GATEWAY;
import static io.wssguard.frame.CloseCodes.GOING_AWAY;
import static io.wssguard.frame.CloseCodes.INTERNAL_ERROR;

import io.undertow.connector.ByteBufferPool;
import io.wssguard.frame.CloseCodes;
import io.wssguard.frame.ControlFrames;
import io.wssguard.frame.FrameInspector;
import io.wssguard.limit.ConnectionGate;
import io.wssguard.observe.ConnectionMeter;
import io.wssguard.traffic.ConnectionTap;
import io.wssguard.traffic.TrafficRecorder;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.xnio.IoUtils;
import org.xnio.StreamConnection;
import org.xnio.XnioExecutor;

/**
 * One proxied WebSocket conversation: a client connection, a backend connection and a {@link Pump}
 * for each direction, all on one IO thread.
 *
 * <p>Ending a relay (RFC 6455 section 7): when both close frames have been relayed, both sides are
 * shut down for writing and read until they hang up. When something goes wrong (a protocol
 * violation, a peer vanishing, an idle timeout, shutdown) each side gets a close frame with the
 * code that fits — the offender the violation's code, the other side a plain "going away" or, for a
 * client whose backend failed, 1011/1014 — unless a frame toward it is half written, in which case
 * it only sees the TCP close. A connection is closed once our last bytes are written and its peer
 * has gone quiet or hung up: reads continue (and are dropped) until then, because closing a socket
 * with unread bytes sends a TCP reset, which can destroy the close frame on its way to the peer.
 */
public final class Relay {
  private static final Logger LOG = Logger.getLogger(Relay.class.getName());

  /** How long a half-done close handshake, or a lingering close, may take. */
  static final long CLOSE_TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(5);

  /**
   * While ending, a peer that sent nothing for this long has read our last frame or never will:
   * close it.
   */
  static final long QUIET_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

  /** Callbacks to whoever keeps track of relays. */
  public interface Listener {
    void relayEnded(Relay relay);
  }

  /** Limits that apply to one relay; {@code pingNanos} must be below {@code idleNanos}. */
  public record Settings(
      long maxMessageBytes, boolean permessageDeflate, long pingNanos, long idleNanos) {}

  private enum State {
    OPEN,
    CLOSING_HANDSHAKE,
    ENDING,
    ENDED
  }

  private final StreamConnection client;
  private final StreamConnection backend;
  private final Pump up;
  private final Pump down;
  private final Settings settings;
  private final Listener listener;
  private final String description;
  private State state = State.OPEN;
  private XnioExecutor.Key timer;
  private long quietSinceNanos;
  private boolean clientClosed;
  private boolean backendClosed;
  private boolean clientQuiet;
  private boolean backendQuiet;
  private long endingSinceNanos;
  private int closeCodeToClient;

  /** Metrics of this relay, flushed on the timer tick and at the end; null when not measured. */
  ConnectionMeter meter;

  /** Where this relay's frames and end are recorded; null when not recorded. */
  private ConnectionTap tap;

  public Relay(
      StreamConnection client,
      StreamConnection backend,
      ByteBufferPool pool,
      Settings settings,
      ConnectionGate gate,
      Listener listener,
      String description) {
    this.client = client;
    this.backend = backend;
    this.settings = settings;
    this.listener = listener;
    this.description = description;
    this.up =
        new Pump(
            this,
            true,
            new FrameInspector(true, settings.maxMessageBytes(), settings.permessageDeflate()),
            client.getSourceChannel(),
            backend.getSinkChannel(),
            pool,
            gate);
    this.down =
        new Pump(
            this,
            false,
            new FrameInspector(false, settings.maxMessageBytes(), settings.permessageDeflate()),
            backend.getSourceChannel(),
            client.getSinkChannel(),
            pool,
            null);
  }

  /** Starts relaying. Must run on the connections' IO thread. */
  public void start(ByteBuffer earlyBackendBytes) {
    client.setCloseListener(c -> connectionClosed(true));
    backend.setCloseListener(c -> connectionClosed(false));
    quietSinceNanos = System.nanoTime();
    up.start(null);
    down.start(earlyBackendBytes);
    if (state == State.OPEN) {
      schedule(settings.pingNanos());
    }
  }

  /**
   * Ends the conversation with 1001 on both sides, as on shutdown. Safe to call from any thread.
   */
  public void goAway(String reason) {
    client
        .getIoThread()
        .execute(
            () -> {
              if (state == State.OPEN || state == State.CLOSING_HANDSHAKE) {
                terminate(GOING_AWAY, reason, GOING_AWAY, reason);
              }
            });
  }

  /**
   * Closes the conversation for a policy (an anomaly rule, the fleet's connection budget): {@code
   * code} and {@code reason} to the client, 1001 to the backend. Safe to call from any thread; does
   * nothing once it is ending.
   */
  public void close(int code, String reason) {
    client
        .getIoThread()
        .execute(
            () -> {
              if (state == State.OPEN || state == State.CLOSING_HANDSHAKE) {
                closedFirst(TrafficRecorder.CLOSED_BY_PROXY, code);
                terminate(code, reason, GOING_AWAY, "client closed by proxy");
              }
            });
  }

  /**
   * Client-to-backend messages relayed so far. Other threads may read it (the live baselines, once
   * a second): a plain field of the IO thread's, so the value can lag a little, never tear.
   */
  public long messagesFromClient() {
    return up.inspector.messages();
  }

  /** Backend-to-client messages relayed so far; read like {@link #messagesFromClient()}. */
  public long messagesFromBackend() {
    return down.inspector.messages();
  }

  /** Measures this relay (call before {@link #start}). */
  public void meter(ConnectionMeter meter) {
    this.meter = meter;
  }

  /** Records this relay's frame headers and end (call before {@link #start}). */
  public void record(ConnectionTap tap) {
    this.tap = tap;
    up.inspector.tap(tap.fromClient());
    down.inspector.tap(tap.fromBackend());
  }

  /** Records who ended the conversation first, and with which code (the first call counts). */
  private void closedFirst(int who, int code) {
    if (tap != null) {
      tap.ended(who, code);
    }
  }

  public String description() {
    return description;
  }

  /** The close code the proxy itself sent to the client, 0 if none (for logs and tests). */
  public int closeCodeToClient() {
    return closeCodeToClient;
  }

  // ---- events from the pumps ----

  void violation(Pump offender) {
    FrameInspector insp = offender.inspector;
    LOG.fine(
        () ->
            description
                + ": "
                + (offender.fromClient ? "client" : "backend")
                + (insp.violationByGate() ? " closed by policy: " : " violated the protocol: ")
                + insp.violationCode()
                + " "
                + insp.violationReason());
    if (!insp.violationByGate()) {
      if (meter != null) {
        meter.violation(offender.fromClient, insp.violationCode());
      }
      if (offender.gate != null) {
        offender.gate.protocolViolation(insp.violationCode());
      }
    }
    closedFirst(
        TrafficRecorder.CLOSED_BY_PROXY, offender.fromClient ? insp.violationCode() : BAD_GATEWAY);
    if (offender.fromClient) {
      terminate(insp.violationCode(), insp.violationReason(), GOING_AWAY, "client closed by proxy");
    } else {
      terminate(
          BAD_GATEWAY, "backend protocol error", insp.violationCode(), insp.violationReason());
    }
  }

  void closeForwarded(Pump pump) {
    if (state != State.OPEN && state != State.CLOSING_HANDSHAKE) {
      return;
    }
    closedFirst(
        pump.fromClient ? TrafficRecorder.CLOSED_BY_CLIENT : TrafficRecorder.CLOSED_BY_BACKEND,
        pump.inspector.closeCode());
    if (up.inspector.closeSeen() && down.inspector.closeSeen()) {
      // Both close frames went through: the conversation is over, say so with TCP.
      startEnding();
      up.finish(null);
      down.finish(null);
      up.drainSource();
      down.drainSource();
      checkDone();
    } else if (state == State.OPEN) {
      state = State.CLOSING_HANDSHAKE;
      reschedule(CLOSE_TIMEOUT_NANOS);
    }
  }

  void sourceEnded(Pump pump) {
    if (state == State.OPEN || state == State.CLOSING_HANDSHAKE) {
      closedFirst(
          pump == down ? TrafficRecorder.CLOSED_BY_BACKEND : TrafficRecorder.CLOSED_BY_CLIENT,
          CloseCodes.ABNORMAL);
      boolean handshakeDone = up.inspector.closeSeen() && down.inspector.closeSeen();
      if (pump == down) {
        terminate(
            handshakeDone || down.inspector.closeSeen() ? 0 : INTERNAL_ERROR,
            "backend closed the connection",
            0,
            null);
      } else {
        terminate(
            0,
            null,
            handshakeDone || up.inspector.closeSeen() ? 0 : GOING_AWAY,
            "client went away");
      }
    } else {
      checkDone();
    }
  }

  void sinkFinished(Pump pump) {
    checkDone();
  }

  void readFailed(Pump pump, IOException e) {
    LOG.log(Level.FINE, description + ": read failed", e);
    broken(pump == up);
  }

  void writeFailed(Pump pump, IOException e) {
    LOG.log(Level.FINE, description + ": write failed", e);
    broken(pump == down);
  }

  /** A connection failed outright: it is closed now, the other side gets a close frame. */
  private void broken(boolean clientSide) {
    if (clientSide) {
      IoUtils.safeClose(client);
      up.sourceEnded = true;
      down.sinkDone = true;
    } else {
      IoUtils.safeClose(backend);
      down.sourceEnded = true;
      up.sinkDone = true;
    }
    if (state == State.OPEN || state == State.CLOSING_HANDSHAKE) {
      closedFirst(
          clientSide ? TrafficRecorder.CLOSED_BY_CLIENT : TrafficRecorder.CLOSED_BY_BACKEND,
          CloseCodes.ABNORMAL);
      if (clientSide) {
        terminate(0, null, up.inspector.closeSeen() ? 0 : GOING_AWAY, "client went away");
      } else {
        terminate(
            down.inspector.closeSeen() ? 0 : INTERNAL_ERROR, "backend connection failed", 0, null);
      }
    } else {
      checkDone();
    }
  }

  private void connectionClosed(boolean clientSide) {
    if (clientSide) {
      clientClosed = true;
    } else {
      backendClosed = true;
    }
    if (clientClosed && backendClosed) {
      end();
    } else if (state == State.OPEN || state == State.CLOSING_HANDSHAKE) {
      broken(clientSide);
    }
  }

  // ---- ending ----

  /**
   * Stops relaying; each side gets its close frame (code 0: none) after the bytes already vouched
   * for, then both are read until they hang up or the linger time is over.
   */
  private void terminate(int toClient, String clientReason, int toBackend, String backendReason) {
    closedFirst(TrafficRecorder.CLOSED_BY_PROXY, toClient == 0 ? CloseCodes.ABNORMAL : toClient);
    startEnding();
    closeCodeToClient = toClient;
    if (meter != null) {
      meter.closeSent(
          toClient == 0 || down.sinkDone ? 0 : toClient,
          toBackend == 0 || up.sinkDone ? 0 : toBackend);
    }
    down.finish(toClient == 0 || down.sinkDone ? null : closeFrame(toClient, clientReason, false));
    up.finish(toBackend == 0 || up.sinkDone ? null : closeFrame(toBackend, backendReason, true));
    up.drainSource();
    down.drainSource();
    checkDone();
  }

  private void startEnding() {
    state = State.ENDING;
    endingSinceNanos = System.nanoTime();
    reschedule(QUIET_NANOS);
  }

  private static ByteBuffer closeFrame(int code, String reason, boolean masked) {
    ByteBuffer frame = ByteBuffer.allocate(ControlFrames.MAX_CLOSE_FRAME_BYTES);
    ControlFrames.writeClose(frame, code, reason == null ? "" : reason, masked);
    return frame.flip();
  }

  /** Closes each connection once our last bytes to it are out and it has hung up or gone quiet. */
  private void checkDone() {
    if (state != State.ENDING) {
      return;
    }
    if (!clientClosed && down.sinkDone && (up.sourceEnded || clientQuiet)) {
      IoUtils.safeClose(client);
    }
    if (!backendClosed && up.sinkDone && (down.sourceEnded || backendQuiet)) {
      IoUtils.safeClose(backend);
    }
  }

  private void end() {
    if (state == State.ENDED) {
      return;
    }
    state = State.ENDED;
    closedFirst(TrafficRecorder.CLOSED_BY_PROXY, CloseCodes.ABNORMAL);
    cancelTimer();
    up.destroy();
    down.destroy();
    if (meter != null) {
      meter.ended(up.inspector, down.inspector);
    }
    listener.relayEnded(this);
  }

  // ---- time ----

  private void schedule(long delayNanos) {
    try {
      timer = client.getIoThread().executeAfter(this::tick, delayNanos, TimeUnit.NANOSECONDS);
    } catch (RejectedExecutionException e) {
      timer = null; // the IO thread is stopping: nothing left to time
    }
  }

  private void reschedule(long delayNanos) {
    cancelTimer();
    schedule(delayNanos);
  }

  private void cancelTimer() {
    if (timer != null) {
      timer.remove();
      timer = null;
    }
  }

  private void tick() {
    timer = null;
    long now = System.nanoTime();
    switch (state) {
      case OPEN -> {
        if (meter != null) {
          meter.flush(up.inspector, down.inspector);
        }
        if (up.active) {
          up.active = false;
          quietSinceNanos = now;
        }
        long quiet = now - quietSinceNanos;
        if (quiet >= settings.idleNanos()) {
          terminate(GOING_AWAY, "idle timeout", GOING_AWAY, "idle timeout");
          return;
        }
        if (quiet >= settings.pingNanos() && down.canInject()) {
          ByteBuffer ping = ByteBuffer.allocate(2);
          ControlFrames.writePing(ping, false);
          down.inject(ping.flip());
        }
        schedule(Math.min(settings.pingNanos(), settings.idleNanos() - quiet));
      }
      case CLOSING_HANDSHAKE ->
          terminate(
              down.inspector.closeSeen() ? 0 : GOING_AWAY, "close handshake timed out",
              up.inspector.closeSeen() ? 0 : GOING_AWAY, "close handshake timed out");
      case ENDING -> {
        if (now - endingSinceNanos >= CLOSE_TIMEOUT_NANOS) {
          // Linger over: whoever has not hung up is cut off.
          IoUtils.safeClose(client);
          IoUtils.safeClose(backend);
          return;
        }
        clientQuiet = !up.active;
        backendQuiet = !down.active;
        up.active = false;
        down.active = false;
        checkDone();
        if (state == State.ENDING) {
          schedule(QUIET_NANOS);
        }
      }
      case ENDED -> {}
    }
  }
}
