package io.wssguard.bench;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import org.HdrHistogram.Histogram;

/**
 * One selector thread of the bench client, owning a share of the connections from connect to close.
 *
 * <p>Open loop: each connection sends on its own fixed schedule (one message every {@code 1/rate}
 * s, phases spread evenly over the connections), whether or not earlier messages have come back, so
 * a slow proxy shows as latency instead of slowing the load down. Round-trip times of echoes that
 * arrive inside the measured window go into this thread's own histogram (nanoseconds); the
 * coordinator merges them after the thread has ended.
 */
final class ClientLoop implements Runnable {
  /**
   * At most this many sends per connection per wakeup when the loop has fallen behind its schedule.
   */
  private static final int MAX_BURST = 64;

  private final Schedule schedule;
  private final List<Conn> conns = new ArrayList<>();
  private final Histogram histogram = new Histogram(60_000_000_000L, 3);
  private final long intervalNanos;
  private final Selector selector;
  private final int firstIndex;
  private final int stride;
  private final int totalConnections;

  /** Written by this thread only; read by the coordinator for progress and at the end. */
  final AtomicLong echoedInWindow = new AtomicLong();

  final AtomicInteger openConnections = new AtomicInteger();

  /** Connections that are open or have ended: once all are, connecting is over. */
  volatile int settled;

  long sentInWindow;
  long echoedTotal;

  /**
   * This loop gets connections {@code firstIndex, firstIndex + stride, ...} of {@code
   * totalConnections}.
   */
  ClientLoop(Schedule schedule, int rate, int firstIndex, int stride, int totalConnections)
      throws IOException {
    this.schedule = schedule;
    this.intervalNanos = 1_000_000_000L / rate;
    this.selector = Selector.open();
    this.firstIndex = firstIndex;
    this.stride = stride;
    this.totalConnections = totalConnections;
  }

  /** Opens one connection (non-blocking connect); called before the thread starts. */
  void open(InetSocketAddress address, String path, SSLContext tls, byte[] frame)
      throws IOException {
    SocketChannel ch = SocketChannel.open();
    ch.configureBlocking(false);
    ch.socket().setTcpNoDelay(true);
    Transport transport;
    int inCapacity = frame.length + 16 * 1024;
    if (tls != null) {
      SSLEngine engine = tls.createSSLEngine(address.getHostString(), address.getPort());
      engine.setUseClientMode(true);
      TlsTransport t = new TlsTransport(engine, ch);
      inCapacity += 2 * t.applicationBufferSize();
      transport = t;
    } else {
      transport = Transport.plain(ch);
    }
    byte[] key = new byte[16];
    ThreadLocalRandom.current().nextBytes(key);
    Conn c =
        new Conn(
            ch,
            transport,
            inCapacity,
            frame,
            address.getHostString() + ":" + address.getPort(),
            path,
            key);
    try {
      ch.connect(address);
      c.key = ch.register(selector, SelectionKey.OP_CONNECT, c);
    } catch (IOException e) {
      c.end(Conn.Outcome.CONNECT_FAILED, e.toString());
    }
    conns.add(c);
  }

  List<Conn> connections() {
    return conns;
  }

  Histogram histogram() {
    return histogram;
  }

  void echoed(long sentAtNanos) {
    echoedTotal++;
    long now = System.nanoTime();
    if (schedule.measuring(now)) {
      histogram.recordValue(Math.min(now - sentAtNanos, histogram.getHighestTrackableValue()));
      echoedInWindow.incrementAndGet();
    }
  }

  @Override
  public void run() {
    try (selector) {
      boolean phased = false;
      while (true) {
        long now = System.nanoTime();
        if (now >= schedule.hardStop && schedule.hardStop != 0) {
          break;
        }
        if (schedule.closing(now)) {
          if (!closeAll()) {
            break;
          }
        } else if (schedule.sending(now)) {
          if (!phased) {
            long from = schedule.sendFrom;
            for (int i = 0; i < conns.size(); i++) {
              conns.get(i).nextSend =
                  from + intervalNanos * (firstIndex + (long) i * stride) / totalConnections;
            }
            phased = true;
          }
          sendDue(now);
        }
        long wait = waitMillis(System.nanoTime(), phased);
        int ready = wait <= 0 ? selector.selectNow() : selector.select(wait);
        if (ready > 0) {
          handleReady();
        }
        if (settled < conns.size()) {
          int n = 0;
          for (Conn c : conns) {
            n +=
                c.state == Conn.State.OPEN
                        || c.state == Conn.State.CLOSING
                        || c.state == Conn.State.DONE
                    ? 1
                    : 0;
          }
          settled = n;
        }
      }
    } catch (IOException e) {
      throw new IllegalStateException("bench client selector failed", e);
    } finally {
      for (Conn c : conns) {
        if (c.state != Conn.State.DONE) {
          c.end(
              c.state == Conn.State.CLOSING
                  ? Conn.Outcome.CLOSE_TIMEOUT
                  : c.state == Conn.State.OPEN
                      ? Conn.Outcome.CLOSED_CLEANLY
                      : Conn.Outcome.CONNECT_FAILED,
              "still open at the hard stop");
        }
      }
      openConnections.set(0);
      settled = conns.size();
    }
  }

  private void sendDue(long now) {
    boolean window = schedule.measuring(now);
    for (Conn c : conns) {
      if (c.state != Conn.State.OPEN) {
        continue;
      }
      for (int i = 0; i < MAX_BURST && c.nextSend <= now; i++) {
        try {
          c.send(now);
        } catch (IOException e) {
          c.end(Conn.Outcome.UNEXPECTED_CLOSE, e.toString());
          break;
        }
        if (window) {
          sentInWindow++;
        }
        c.nextSend += intervalNanos;
      }
      if (c.nextSend <= now) {
        // Still behind after a burst: give up the backlog rather than flood, and count it as
        // skipped.
        long behind = (now - c.nextSend) / intervalNanos + 1;
        c.skipped += behind;
        c.nextSend += behind * intervalNanos;
      }
    }
  }

  /** Sends close frames; false when every connection has ended. */
  private boolean closeAll() throws IOException {
    boolean any = false;
    for (Conn c : conns) {
      if (c.state == Conn.State.OPEN) {
        try {
          c.startClose();
        } catch (IOException e) {
          c.end(Conn.Outcome.UNEXPECTED_CLOSE, e.toString());
        }
      } else if (c.state == Conn.State.CONNECTING
          || c.state == Conn.State.TLS
          || c.state == Conn.State.UPGRADE) {
        c.end(Conn.Outcome.CONNECT_FAILED, "not connected when the run ended");
      }
      any |= c.state != Conn.State.DONE;
    }
    return any;
  }

  private long waitMillis(long now, boolean phased) {
    long until = now + 50_000_000L;
    if (phased && schedule.sending(now)) {
      for (Conn c : conns) {
        if (c.state == Conn.State.OPEN && c.nextSend < until) {
          until = c.nextSend;
        }
      }
    }
    long sendFrom = schedule.sendFrom;
    if (!phased && sendFrom != 0 && sendFrom < until) {
      until = sendFrom;
    }
    long ms = (until - now) / 1_000_000L;
    return until <= now ? 0 : Math.max(1, ms);
  }

  private void handleReady() {
    for (SelectionKey k : selector.selectedKeys()) {
      Conn c = (Conn) k.attachment();
      try {
        if (!k.isValid()) {
          continue;
        }
        if (k.isConnectable()) {
          if (!c.ch.finishConnect()) {
            continue;
          }
          k.interestOps(SelectionKey.OP_READ);
          c.state = Conn.State.TLS;
        }
        if (c.state == Conn.State.TLS) {
          if (!c.transport.ready(c.in)) {
            if (k.isValid()) {
              k.interestOps(
                  SelectionKey.OP_READ | (c.transport.pendingWrite() ? SelectionKey.OP_WRITE : 0));
            }
            continue;
          }
          c.startUpgrade();
        }
        boolean wasOpen = c.state == Conn.State.OPEN;
        if (k.isValid() && k.isWritable()) {
          c.flush();
        }
        if ((k.isValid() && k.isReadable()) || c.in.position() > 0) {
          c.onReadable(this);
        }
        if (!wasOpen && c.state == Conn.State.OPEN) {
          openConnections.incrementAndGet();
        }
      } catch (IOException | RuntimeException e) {
        c.end(
            c.state == Conn.State.OPEN || c.state == Conn.State.CLOSING
                ? Conn.Outcome.UNEXPECTED_CLOSE
                : Conn.Outcome.CONNECT_FAILED,
            e.toString());
      }
    }
    selector.selectedKeys().clear();
  }
}
