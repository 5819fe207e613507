package io.wssguard.observe;

import io.wssguard.frame.FrameInspector;
import java.net.InetAddress;

/**
 * The meters of one relay. Its inspectors already count messages, frames and payload bytes in plain
 * fields as they walk the frames; this class adds the growth since the last flush to the shared
 * counters, on the relay's timer tick and when the relay ends, so relaying a frame costs the
 * metrics nothing. Touched on the relay's IO thread only.
 */
public final class ConnectionMeter {
  /** One socket read in this many is timed through inspection and per-frame policy. */
  public static final int INSPECTION_SAMPLE_EVERY = 1024;

  private final Observability observe;
  private final RouteMeter route;
  private final InetAddress client;
  private final String clientText;
  private final long openedNanos = System.nanoTime();
  private final long[] flushedMessages = new long[2];
  private final long[] flushedBytes = new long[2];
  private int closeSentToClient;
  private int closeSentToBackend;

  ConnectionMeter(Observability observe, RouteMeter route, InetAddress client) {
    this.observe = observe;
    this.route = route;
    this.client = client;
    this.clientText = client.getHostAddress();
    route.open.incrementAndGet();
    route.opened.increment();
    if (observe.accessLog) {
      observe.log.write(
          SecurityLog.event("connection_open", clientText, route.label).endObject().toString());
    }
  }

  /** Adds what both directions relayed since the last flush to the counters. */
  public void flush(FrameInspector up, FrameInspector down) {
    flush(0, up);
    flush(1, down);
  }

  private void flush(int i, FrameInspector inspector) {
    long m = inspector.messages() - flushedMessages[i];
    long b = inspector.payloadBytes() - flushedBytes[i];
    if (m > 0) {
      route.messages[i].increment((double) m);
      flushedMessages[i] += m;
      if (i == 0) {
        observe.topMessages.add(clientText, m, route.label);
      }
    }
    if (b > 0) {
      route.bytes[i].increment((double) b);
      flushedBytes[i] += b;
    }
  }

  /** The proxy sends close frames (0: none) to the client and the backend. */
  public void closeSent(int toClient, int toBackend) {
    if (toClient != 0) {
      closeSentToClient = toClient;
      observe.metrics.closeSent(true, toClient);
    }
    if (toBackend != 0) {
      closeSentToBackend = toBackend;
      observe.metrics.closeSent(false, toBackend);
    }
  }

  /** A peer broke RFC 6455 and is answered with {@code code}. */
  public void violation(boolean fromClient, int code) {
    observe.metrics.protocolViolation(fromClient, code);
    observe.events.protocolViolation(clientText, route.label, fromClient, code);
    if (fromClient) {
      observe.topViolations.add(clientText, 1, route.label);
    }
  }

  /** One sampled read: {@code nanos} in inspection, {@code messages} completed in it. */
  public void inspectionSample(boolean fromClient, long nanos, long messages) {
    observe.metrics.inspectionSample(fromClient, nanos, messages);
  }

  /** The relay has ended: final flush, the close codes the peers sent, the access log line. */
  public void ended(FrameInspector up, FrameInspector down) {
    flush(up, down);
    if (up.closeSeen()) {
      observe.metrics.closeReceived(true, up.closeCode());
    }
    if (down.closeSeen()) {
      observe.metrics.closeReceived(false, down.closeCode());
    }
    route.open.decrementAndGet();
    if (observe.accessLog) {
      JsonText line =
          SecurityLog.event("connection_close", clientText, route.label)
              .key("values")
              .beginObject()
              .field("durationMs", (System.nanoTime() - openedNanos) / 1_000_000)
              .field("messagesIn", up.messages())
              .field("bytesIn", up.payloadBytes())
              .field("messagesOut", down.messages())
              .field("bytesOut", down.payloadBytes());
      if (up.closeSeen()) {
        line.field("closeFromClient", up.closeCode());
      }
      if (down.closeSeen()) {
        line.field("closeFromBackend", down.closeCode());
      }
      if (closeSentToClient != 0) {
        line.field("closeToClient", closeSentToClient);
      }
      if (closeSentToBackend != 0) {
        line.field("closeToBackend", closeSentToBackend);
      }
      observe.log.write(line.endObject().endObject().toString());
    }
  }

  InetAddress client() {
    return client;
  }
}
