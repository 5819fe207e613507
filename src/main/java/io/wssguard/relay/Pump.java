package io.wssguard.relay;

import io.undertow.connector.ByteBufferPool;
import io.undertow.connector.PooledByteBuffer;
import io.wssguard.frame.FrameInspector;
import io.wssguard.limit.ConnectionGate;
import io.wssguard.observe.ConnectionMeter;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;
import org.xnio.conduits.ConduitStreamSinkChannel;
import org.xnio.conduits.ConduitStreamSourceChannel;

/**
 * Moves one direction of a relay: reads from one peer, lets the {@link FrameInspector} vouch for
 * the bytes, writes the same bytes to the other peer.
 *
 * <p>The buffer holds three regions: {@code [writePos, verified)} checked and waiting to be
 * written, {@code [verified, readPos)} read but not yet consumed by the inspector (an incomplete
 * header or control frame, kept for the next read), and {@code [readPos, capacity)} free for the
 * next read ({@code [0, writePos)} is already written and is reclaimed by compacting). Reads happen
 * only when everything verified has been written, so a slow sink stops reads from the source
 * (backpressure) and a pump never holds more than one pooled buffer. The buffer goes back to the
 * pool as soon as it holds nothing, so an idle connection holds none.
 *
 * <p>Runs on the relay's IO thread only; no locks, no allocation per read.
 */
final class Pump {
  /** Reads per wake-up before yielding the IO thread to other connections. */
  private static final int MAX_READS_PER_WAKEUP = 8;

  /** Counts reads down to the next one whose inspection is timed for the overhead metrics. */
  private int sampleCountdown = ConnectionMeter.INSPECTION_SAMPLE_EVERY;

  final Relay relay;
  final boolean fromClient;
  final FrameInspector inspector;
  final ConduitStreamSourceChannel source;
  final ConduitStreamSinkChannel sink;
  private final ByteBufferPool pool;

  private PooledByteBuffer pooled;
  private ByteBuffer buf;
  private int writePos;
  private int verified;
  private int readPos;

  /** A proxy-made control frame to write after the pending bytes, or null. */
  private ByteBuffer trailer;

  /** The policy asking about each frame (client direction only), or null. */
  final ConnectionGate gate;

  /** Reads are suspended until a throttle timer fires. */
  private boolean throttledUntilResume;

  /**
   * A frame is held for the policy and the sink is still busy: start the throttle timer once it has
   * drained.
   */
  private boolean throttleAfterFlush;

  /** Set on every read; the relay's timer clears it (activity without a clock read per message). */
  boolean active;

  /** The source reached end of stream. */
  boolean sourceEnded;

  /** No more bytes will be taken from the source for relaying; what comes is read and dropped. */
  private boolean draining;

  /** Everything this pump will ever write has been written (or the sink's connection failed). */
  boolean sinkDone;

  private boolean shutdownRequested;

  Pump(
      Relay relay,
      boolean fromClient,
      FrameInspector inspector,
      ConduitStreamSourceChannel source,
      ConduitStreamSinkChannel sink,
      ByteBufferPool pool,
      ConnectionGate gate) {
    this.relay = relay;
    this.fromClient = fromClient;
    this.inspector = inspector;
    this.source = source;
    this.sink = sink;
    this.pool = pool;
    this.gate = gate;
    inspector.gate(gate);
  }

  void start(ByteBuffer early) {
    source.getReadSetter().set(ch -> onReadable());
    sink.getWriteSetter().set(ch -> onWritable());
    if (early != null && early.hasRemaining()) {
      acquire();
      int n = early.remaining();
      buf.put(0, early, early.position(), n);
      readPos = n;
      if (!consume()) {
        return;
      }
      releaseIfEmpty();
    }
    source.resumeReads();
  }

  void onReadable() {
    if (draining) {
      discard();
      return;
    }
    for (int i = 0; i < MAX_READS_PER_WAKEUP; i++) {
      acquire();
      buf.limit(buf.capacity()).position(readPos);
      int space = buf.remaining();
      int n;
      try {
        n = source.read(buf);
      } catch (IOException e) {
        relay.readFailed(this, e);
        return;
      }
      if (n == 0) {
        releaseIfEmpty();
        return;
      }
      if (n < 0) {
        releaseIfEmpty();
        sourceEnded = true;
        relay.sourceEnded(this);
        return;
      }
      active = true;
      readPos += n;
      if (!consume()) {
        return;
      }
      // A short read means the socket is empty: the selector is level-triggered, and a TLS conduit
      // that still
      // holds decrypted or undecrypted bytes runs this listener again by itself. Reading on would
      // cost one
      // empty read (EAGAIN) per wake-up.
      if (n < space) {
        releaseIfEmpty();
        return;
      }
    }
    // Plenty more to read: come back after other connections on this thread had their turn.
    source.wakeupReads();
  }

  /**
   * Inspects what was read and forwards what the inspector vouched for. Returns false when this
   * pump must stop reading for now (sink full, violation, or close handshake over).
   */
  private boolean consume() {
    buf.limit(buf.capacity()); // a flush may have narrowed it
    // Overhead sampling: one read in INSPECTION_SAMPLE_EVERY is timed; the others pay a decrement
    // and a branch.
    boolean sampled = --sampleCountdown == 0;
    long sampleStart = 0;
    long sampleMessages = 0;
    if (sampled) {
      sampleCountdown = ConnectionMeter.INSPECTION_SAMPLE_EVERY;
      sampleStart = System.nanoTime();
      sampleMessages = inspector.messages();
    }
    if (gate != null) {
      gate.tick();
    }
    while (true) {
      int end = inspector.inspect(buf, verified, readPos);
      if (inspector.violationCode() != 0) {
        // Frames before the offending one are valid and still go out; the offending frame does not.
        verified = inspector.violationMidFrame() ? verified : end;
        readPos = verified;
        relay.violation(this);
        return false;
      }
      if (inspector.dropped() && end > verified) {
        // A policy dropped these frames: cut them out of the buffer (the rare path may copy).
        buf.put(verified, buf, end, readPos - end);
        readPos -= end - verified;
        continue;
      }
      boolean progressed = end > verified;
      verified = end;
      if (!progressed || verified == readPos || inspector.throttled()) {
        break;
      }
    }
    if (sampled && relay.meter != null) {
      relay.meter.inspectionSample(
          fromClient, System.nanoTime() - sampleStart, inspector.messages() - sampleMessages);
    }
    boolean throttled = inspector.throttled();
    if (!flush()) {
      throttleAfterFlush =
          throttled; // the held frame's delay starts once the sink has taken the rest
      return false;
    }
    if (throttled) {
      throttle();
      return false;
    }
    if (inspector.closeSeen()) {
      relay.closeForwarded(this);
    }
    return !draining;
  }

  /**
   * Stops reading until the policy's budget has refilled; the unconsumed frame waits in the buffer.
   */
  private void throttle() {
    source.suspendReads();
    throttledUntilResume = true;
    source
        .getIoThread()
        .executeAfter(
            () -> {
              throttledUntilResume = false;
              // The held frame is asked about again before anything new is read: the buffer may be
              // full of it.
              if (!draining && !sourceEnded && consume()) {
                releaseIfEmpty();
                source.resumeReads();
                onReadable();
              }
            },
            gate.throttleNanos(),
            TimeUnit.NANOSECONDS);
  }

  void onWritable() {
    if (!flush()) {
      return;
    }
    sink.suspendWrites();
    if (shutdownRequested) {
      return;
    }
    if (throttleAfterFlush) {
      throttleAfterFlush = false;
      throttle();
      return;
    }
    if (!draining && !sourceEnded && !throttledUntilResume) {
      source.resumeReads();
      // Consume what is already buffered (TLS conduits may not signal it again).
      onReadable();
    } else {
      releaseIfEmpty();
    }
  }

  /**
   * Writes pending bytes (and the trailer, if any). Returns true when everything is out; otherwise
   * reads from the source are suspended and the sink's write listener will call back.
   */
  private boolean flush() {
    try {
      if (writePos < verified) {
        buf.limit(verified).position(writePos);
        while (buf.hasRemaining() && sink.write(buf) > 0) {
          // keep writing while the socket takes bytes
        }
        writePos = buf.position();
        if (writePos < verified) {
          return blocked();
        }
      }
      if (writePos == readPos) {
        writePos = 0;
        verified = 0;
        readPos = 0;
      } else if (writePos > 0) {
        compact();
      }
      if (trailer != null) {
        while (trailer.hasRemaining() && sink.write(trailer) > 0) {
          // as above
        }
        if (trailer.hasRemaining()) {
          return blocked();
        }
        trailer = null;
      }
      if (!sink.flush()) {
        return blocked();
      }
      if (shutdownRequested && !sinkDone) {
        // No TCP or TLS shutdown here: a TLS close_notify would end the connection while the peer
        // may still be sending, and closing on unread bytes turns into a reset that can destroy
        // our close frame in flight.
        sinkDone = true;
        relay.sinkFinished(this);
      }
      return true;
    } catch (IOException e) {
      relay.writeFailed(this, e);
      return false;
    }
  }

  private boolean blocked() {
    source.suspendReads();
    sink.resumeWrites();
    return false;
  }

  /** Moves the unconsumed tail {@code [verified, readPos)} to the start of the buffer. */
  private void compact() {
    int n = readPos - verified;
    buf.limit(buf.capacity()).put(0, buf, verified, n);
    writePos = 0;
    verified = 0;
    readPos = n;
  }

  /**
   * Ends this direction: no more bytes are relayed from the source; what was verified is still
   * written, then the given control frame (when the sink sits at a frame boundary, so it can be
   * inserted).
   *
   * @param lastFrame a close frame for the sink's peer, or null
   */
  void finish(ByteBuffer lastFrame) {
    if (shutdownRequested) {
      return;
    }
    shutdownRequested = true;
    draining = true;
    if (sinkDone) { // the sink's connection already failed
      release();
      return;
    }
    readPos = verified; // unconsumed bytes are never forwarded now
    boolean atBoundary =
        inspector.violationCode() != 0
            ? !inspector.violationMidFrame()
            : inspector.atFrameBoundary();
    if (lastFrame != null && atBoundary) {
      trailer = lastFrame;
    }
    if (flush()) {
      sink.suspendWrites();
      releaseIfEmpty();
    }
  }

  /**
   * Whether a proxy-made control frame could be written to the sink right now without splitting a
   * frame.
   */
  boolean canInject() {
    return !shutdownRequested
        && trailer == null
        && writePos == verified
        && inspector.atFrameBoundary();
  }

  /**
   * Writes a proxy-made control frame (a ping) between frames. Caller checked {@link #canInject()}.
   */
  void inject(ByteBuffer frame) {
    trailer = frame;
    if (flush()) {
      sink.suspendWrites();
    }
  }

  /** Starts dropping whatever the source still sends, until it ends (lingering close). */
  void drainSource() {
    draining = true;
    if (!sourceEnded) {
      source.resumeReads();
      discard();
    }
  }

  private void discard() {
    acquire();
    try {
      for (int i = 0; i < MAX_READS_PER_WAKEUP; i++) {
        buf.clear();
        int n = source.read(buf);
        if (n == 0) {
          break;
        }
        if (n < 0) {
          sourceEnded = true;
          source.suspendReads();
          break;
        }
        active = true;
      }
    } catch (IOException e) {
      sourceEnded = true;
      source.suspendReads();
    }
    writePos = verified = readPos = 0;
    release();
    if (sourceEnded) {
      relay.sourceEnded(this);
    }
  }

  private void acquire() {
    if (buf == null) {
      pooled = pool.allocate();
      buf = pooled.getBuffer().clear();
      writePos = 0;
      verified = 0;
      readPos = 0;
    }
  }

  private void releaseIfEmpty() {
    if (buf != null && readPos == 0) {
      release();
    }
  }

  private void release() {
    if (buf != null) {
      buf = null;
      PooledByteBuffer p = pooled;
      pooled = null;
      writePos = 0;
      verified = 0;
      readPos = 0;
      p.close();
    }
  }

  /** Frees the buffer whatever it holds; the relay is gone. */
  void destroy() {
    shutdownRequested = true;
    draining = true;
    release();
  }
}
