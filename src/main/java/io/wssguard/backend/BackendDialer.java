package io.wssguard.backend;

import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;
import javax.net.ssl.SSLException;
import org.xnio.ChannelListener;
import org.xnio.IoFuture;
import org.xnio.IoUtils;
import org.xnio.OptionMap;
import org.xnio.Options;
import org.xnio.StreamConnection;
import org.xnio.XnioExecutor;
import org.xnio.XnioIoThread;
import org.xnio.conduits.ConduitStreamSinkChannel;
import org.xnio.conduits.ConduitStreamSourceChannel;
import org.xnio.ssl.SslConnection;
import org.xnio.ssl.XnioSsl;

/**
 * Opens a backend connection for one client and carries the WebSocket upgrade across it.
 *
 * <p>Everything happens on the client's IO thread (DESIGN.md: one thread owns a connection pair),
 * so the relay that follows needs no locks. Servers are tried in the group's order: one that cannot
 * be connected to (TCP or TLS) or does not answer in time is marked down (passive health) and the
 * next one is tried, all before the client has been answered. Once a server has answered, that
 * answer is about this client's request, not the server's health: a 4xx is passed on, anything else
 * that is not an acceptable 101 (3xx, 5xx, garbage, a close) becomes a 502, with one log line per
 * server every few seconds, and neither marks the server down nor costs another dial.
 *
 * <p>Host names are never looked up here: the dialer reads the server's cached address, and any
 * lookup (the first, a periodic refresh, one after a failed connect) runs on the worker's task
 * threads.
 */
public final class BackendDialer {
  private static final Logger LOG = Logger.getLogger(BackendDialer.class.getName());
  private static final OptionMap SOCKET_OPTIONS = OptionMap.create(Options.TCP_NODELAY, true);

  /**
   * The first buffer for a backend's answer: a 101 head is a few hundred bytes. Every conversation
   * makes one, so it starts small and doubles up to {@link BackendResponse#MAX_HEAD_BYTES} for the
   * rare longer head (a full-size buffer was 8 KB of garbage per conversation).
   */
  static final int FIRST_ANSWER_BYTES = 1024;

  /** What became of a dial; exactly one method is called, on the IO thread that dialed. */
  public interface Outcome {
    /**
     * The backend accepted the upgrade.
     *
     * @param early bytes the backend sent after its 101 (frames already), or {@code null}
     */
    void upgraded(
        BackendServer server,
        StreamConnection connection,
        BackendResponse response,
        ByteBuffer early);

    /** The backend refused the upgrade with a 4xx; the client should get the same status. */
    void refused(BackendServer server, BackendResponse response);

    /** No server could be used; {@code reason} says why the last one failed. */
    void failed(String reason);

    /**
     * The server answered, but with nothing the client can be given (3xx, 5xx, a bad 101): the
     * client should get 502. Already logged (throttled) by the dialer.
     */
    void answeredBadly(BackendServer server, String reason);
  }

  /**
   * One upgrade to dial: what to send and how to judge the answer. {@code requestHead} is read
   * through a duplicate for each server tried, so it stays whole.
   */
  public record Upgrade(
      ByteBuffer requestHead,
      String clientKey,
      List<String> offeredProtocols,
      boolean extensionsForwarded) {}

  private final XnioSsl backendSsl;

  /**
   * @param backendSsl opens {@code wss://} connections; may be {@code null} when the group has none
   */
  public BackendDialer(XnioSsl backendSsl) {
    this.backendSsl = backendSsl;
  }

  public void dial(
      XnioIoThread thread,
      BackendGroup group,
      Upgrade upgrade,
      long answerTimeoutNanos,
      Outcome outcome) {
    new Attempt(thread, group, upgrade, answerTimeoutNanos, outcome).next("no servers in group");
  }

  /** Binding the local side before connecting lets the kernel pick the source address and port. */
  private static InetSocketAddress anyLocal(InetSocketAddress remote) {
    return new InetSocketAddress(remote.getAddress() instanceof Inet6Address ? "::" : "0.0.0.0", 0);
  }

  /** The state of one dial across its candidate servers. Touched only on its IO thread. */
  private final class Attempt {
    private final XnioIoThread thread;
    private final BackendGroup group;
    private final Upgrade upgrade;
    private final long answerTimeoutNanos;
    private final Outcome outcome;
    private final List<BackendServer> candidates;
    private int index;
    private int generation;
    private BackendServer server;
    private StreamConnection connection;
    private XnioExecutor.Key timer;
    private ByteBuffer request;

    /**
     * The backend's answer so far; grows from {@link #FIRST_ANSWER_BYTES} when a head is longer.
     */
    private ByteBuffer answer;

    Attempt(
        XnioIoThread thread,
        BackendGroup group,
        Upgrade upgrade,
        long answerTimeoutNanos,
        Outcome outcome) {
      this.thread = thread;
      this.group = group;
      this.upgrade = upgrade;
      this.answerTimeoutNanos = answerTimeoutNanos;
      this.outcome = outcome;
      this.candidates = group.candidates(System.nanoTime());
    }

    void next(String reason) {
      cancelTimer();
      if (index == candidates.size()) {
        outcome.failed(reason);
        return;
      }
      int gen = ++generation;
      server = candidates.get(index++);
      long now = System.nanoTime();
      InetSocketAddress address = server.address();
      if (server.claimLookup(now, group.config().resolveEvery().toNanos())) {
        BackendServer s = server;
        thread
            .getWorker()
            .execute(
                () -> {
                  s.lookUp(System.nanoTime());
                  if (address == null) { // this attempt waits for the first answer
                    thread.execute(() -> resolved(gen));
                  }
                });
        if (address == null) {
          timer =
              thread.executeAfter(
                  () -> {
                    if (gen == generation) {
                      fail("looking up " + server.host() + " timed out");
                    }
                  },
                  group.config().connectTimeout().toNanos(),
                  TimeUnit.NANOSECONDS);
          return;
        }
      }
      if (address == null) {
        // Another attempt's lookup is running, or the last one failed.
        fail("cannot resolve " + server.host());
        return;
      }
      connect(gen, address);
    }

    /** The first lookup of the current server's name has answered. */
    private void resolved(int gen) {
      if (gen != generation) {
        return;
      }
      cancelTimer();
      InetSocketAddress address = server.address();
      if (address == null) {
        fail("cannot resolve " + server.host());
        return;
      }
      connect(gen, address);
    }

    private void connect(int gen, InetSocketAddress address) {
      ChannelListener<StreamConnection> opened = c -> connected(gen, c);
      IoFuture<? extends StreamConnection> future;
      if (server.tls()) {
        if (backendSsl == null) {
          fail("no TLS client configured for " + server);
          return;
        }
        future =
            backendSsl.openSslConnection(
                thread, anyLocal(address), address, opened, null, SOCKET_OPTIONS);
      } else {
        future = thread.openStreamConnection(address, opened, null, SOCKET_OPTIONS);
      }
      future.addNotifier(
          new IoFuture.HandlingNotifier<StreamConnection, Void>() {
            @Override
            public void handleFailed(IOException e, Void unused) {
              thread.execute(
                  () -> {
                    if (gen == generation) {
                      fail("connect to " + server + " failed: " + e.getMessage());
                    }
                  });
            }
          },
          null);
      long connectNanos = group.config().connectTimeout().toNanos();
      timer =
          thread.executeAfter(
              () -> {
                if (gen == generation) {
                  future.cancel();
                  fail("connect to " + server + " timed out");
                }
              },
              connectNanos,
              TimeUnit.NANOSECONDS);
    }

    /** Connected: send the upgrade request and wait for the answer. */
    private void connected(int gen, StreamConnection c) {
      if (gen != generation || connection != null) {
        IoUtils.safeClose(c);
        return;
      }
      connection = c;
      cancelTimer();
      timer =
          thread.executeAfter(
              () -> {
                if (gen == generation) {
                  fail(server + " did not answer the upgrade in time");
                }
              },
              answerTimeoutNanos,
              TimeUnit.NANOSECONDS);
      if (c instanceof SslConnection ssl) {
        try {
          ssl.startHandshake();
        } catch (IOException e) {
          fail("TLS handshake with " + server + " failed: " + e.getMessage());
          return;
        }
      }
      request = upgrade.requestHead().duplicate();
      answer = ByteBuffer.allocate(FIRST_ANSWER_BYTES);
      ConduitStreamSinkChannel sink = c.getSinkChannel();
      sink.getWriteSetter().set(ch -> writeRequest());
      ConduitStreamSourceChannel source = c.getSourceChannel();
      source.getReadSetter().set(ch -> readAnswer());
      // Reads from the start: a TLS handshake cannot progress without them.
      source.resumeReads();
      writeRequest();
    }

    private void writeRequest() {
      ConduitStreamSinkChannel sink = connection.getSinkChannel();
      try {
        while (request.hasRemaining()) {
          if (sink.write(request) == 0) {
            sink.resumeWrites();
            return;
          }
        }
        if (!sink.flush()) {
          sink.resumeWrites();
          return;
        }
        sink.suspendWrites();
      } catch (IOException e) {
        fail("writing the upgrade to " + server + " failed: " + e.getMessage());
      }
    }

    private void readAnswer() {
      ConduitStreamSourceChannel source = connection.getSourceChannel();
      int headEnd;
      try {
        while (true) {
          int n = source.read(answer);
          if (n == 0) {
            return;
          }
          if (n < 0) {
            answeredBadly("closed the connection before answering the upgrade");
            return;
          }
          headEnd = BackendResponse.headEnd(answer, answer.position());
          if (headEnd >= 0) {
            break;
          }
          if (!answer.hasRemaining()) {
            if (answer.capacity() == BackendResponse.MAX_HEAD_BYTES) {
              answeredBadly(
                  "answered with a head over " + BackendResponse.MAX_HEAD_BYTES + " bytes");
              return;
            }
            answer =
                ByteBuffer.allocate(Math.min(answer.capacity() * 2, BackendResponse.MAX_HEAD_BYTES))
                    .put(answer.flip());
          }
        }
      } catch (SSLException e) {
        fail("TLS with " + server + " failed: " + e.getMessage());
        return;
      } catch (IOException e) {
        answeredBadly("broke the connection instead of answering: " + e.getMessage());
        return;
      }
      BackendResponse response;
      try {
        response = BackendResponse.parse(answer, headEnd);
      } catch (BackendResponse.MalformedResponseException e) {
        answeredBadly("answered the upgrade with a malformed response: " + e.getMessage());
        return;
      }
      if (response.status() == 101) {
        String problem =
            UpgradeAnswerCheck.problem(
                response,
                upgrade.clientKey(),
                upgrade.offeredProtocols(),
                upgrade.extensionsForwarded());
        if (problem != null) {
          answeredBadly("answered the upgrade badly: " + problem);
          return;
        }
        ByteBuffer early = null;
        if (answer.position() > headEnd) {
          early = ByteBuffer.allocate(answer.position() - headEnd);
          early.put(0, answer, headEnd, early.capacity());
        }
        StreamConnection c = handOver();
        group.connectionOpened(server);
        outcome.upgraded(server, c, response, early);
      } else if (response.status() >= 400 && response.status() < 500) {
        IoUtils.safeClose(handOver());
        outcome.refused(server, response);
      } else {
        answeredBadly(
            "answered the upgrade with "
                + response.status()
                + (response.reason().isEmpty() ? "" : " " + response.reason()));
      }
    }

    /** Detaches the connection from this attempt's listeners. */
    private StreamConnection handOver() {
      cancelTimer();
      generation++;
      StreamConnection c = connection;
      c.getSourceChannel().suspendReads();
      c.getSourceChannel().getReadSetter().set(null);
      c.getSinkChannel().suspendWrites();
      c.getSinkChannel().getWriteSetter().set(null);
      connection = null;
      answer = null;
      request = null;
      return c;
    }

    /** The server could not be used (connect, TLS, timeout): marked down, the next one tried. */
    private void fail(String reason) {
      if (connection != null) {
        IoUtils.safeClose(handOver());
      }
      group.markDown(server, System.nanoTime());
      server.addressSuspect();
      next(reason);
    }

    /** The server answered this request with nothing usable: 502, no retry, not marked down. */
    private void answeredBadly(String what) {
      cancelTimer();
      generation++;
      if (connection != null) {
        IoUtils.safeClose(handOver());
      }
      String reason = server + " " + what;
      if (server.logDue(System.nanoTime())) {
        LOG.warning(
            reason
                + "; the client got 502 (one such line per server every "
                + TimeUnit.NANOSECONDS.toSeconds(BackendServer.LOG_EVERY_NANOS)
                + " s)");
      }
      outcome.answeredBadly(server, reason);
    }

    private void cancelTimer() {
      if (timer != null) {
        timer.remove();
        timer = null;
      }
    }
  }
}
