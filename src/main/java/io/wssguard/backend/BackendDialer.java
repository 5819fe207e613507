package io.wssguard.backend;

import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.TimeUnit;
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
 * so the relay that follows needs no locks. Servers are tried in the group's order until one
 * answers the upgrade with an acceptable 101; a server that cannot be reached, times out, answers
 * garbage or a 5xx is marked down (passive health) and the next one is tried, all before the client
 * has been answered. A 4xx is the backend's own decision about this request and is passed on.
 */
public final class BackendDialer {
  private static final OptionMap SOCKET_OPTIONS = OptionMap.create(Options.TCP_NODELAY, true);

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
      InetSocketAddress address = server.resolve();
      if (address.isUnresolved()) {
        fail("cannot resolve " + server.host());
        return;
      }
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
      answer = ByteBuffer.allocate(BackendResponse.MAX_HEAD_BYTES);
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
            fail(server + " closed the connection before answering the upgrade");
            return;
          }
          headEnd = BackendResponse.headEnd(answer, answer.position());
          if (headEnd >= 0) {
            break;
          }
          if (!answer.hasRemaining()) {
            fail(
                server + " answered with a head over " + BackendResponse.MAX_HEAD_BYTES + " bytes");
            return;
          }
        }
      } catch (IOException e) {
        fail("reading the answer of " + server + " failed: " + e.getMessage());
        return;
      }
      BackendResponse response;
      try {
        response = BackendResponse.parse(answer, headEnd);
      } catch (BackendResponse.MalformedResponseException e) {
        fail(server + " answered the upgrade with a malformed response: " + e.getMessage());
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
          fail(server + " answered the upgrade badly: " + problem);
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
        fail(server + " answered the upgrade with " + response.status() + " " + response.reason());
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

    private void fail(String reason) {
      if (connection != null) {
        IoUtils.safeClose(handOver());
      }
      group.markDown(server, System.nanoTime());
      next(reason);
    }

    private void cancelTimer() {
      if (timer != null) {
        timer.remove();
        timer = null;
      }
    }
  }
}
