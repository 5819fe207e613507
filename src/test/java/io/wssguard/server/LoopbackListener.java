package io.wssguard.server;

import com.code_intelligence.jazzer.api.BugDetectors;
import com.code_intelligence.jazzer.api.SilentCloseable;
import io.undertow.Undertow;
import io.undertow.UndertowOptions;
import io.undertow.connector.ByteBufferPool;
import io.undertow.server.DefaultByteBufferPool;
import io.undertow.server.HttpHandler;
import io.undertow.server.protocol.http.HttpOpenListener;
import io.wssguard.ban.MemoryBans;
import io.wssguard.net.Cidr;
import io.wssguard.observe.Metrics;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.xnio.ChannelListener;
import org.xnio.ChannelListeners;
import org.xnio.OptionMap;
import org.xnio.Options;
import org.xnio.StreamConnection;
import org.xnio.Xnio;
import org.xnio.XnioWorker;
import org.xnio.channels.AcceptingChannel;

/**
 * One plain-TCP loopback listener with the proxy's request parsing (Undertow's HTTP/1.1 parser with
 * the options {@link ProxyServer} uses) in front of a given handler, optionally behind the PROXY
 * protocol path; started once per JVM so that a fuzz execution costs one loopback connection, not a
 * server. {@link #send} writes raw bytes, half-closes and reads the answer to the end.
 */
public final class LoopbackListener {
  private static final int ANSWER_LIMIT = 64 * 1024;
  private static XnioWorker worker;

  private final InetSocketAddress address;

  private LoopbackListener(InetSocketAddress address) {
    this.address = address;
  }

  /** What came back: the status of the first answer (-1 if none came) and everything sent. */
  public record Answer(int status, String text) {}

  /** The handshake path of a plain listener. */
  public static LoopbackListener http(HttpHandler root) {
    return start(open(root));
  }

  /**
   * The handshake path of a PROXY-protocol listener whose trusted senders are {@code trusted}: the
   * sender check, the header read whole, Undertow's v1/v2 header parsing, then HTTP.
   */
  public static LoopbackListener proxyProtocol(List<Cidr> trusted, HttpHandler root) {
    ByteBufferPool buffers = new DefaultByteBufferPool(true, ProxyServer.BUFFER_SIZE, -1, 4);
    AcceptGate gate =
        new AcceptGate(
            new MemoryBans(), new ConnectionCap(Integer.MAX_VALUE), new Metrics(List.of()));
    return start(
        new ProxyProtocolGate(
            trusted, gate, open(root), null, buffers, Duration.ofSeconds(10), "fuzz"));
  }

  private static HttpOpenListener open(HttpHandler root) {
    HttpOpenListener listener =
        new HttpOpenListener(
            new DefaultByteBufferPool(true, ProxyServer.BUFFER_SIZE, -1, 4),
            OptionMap.builder()
                .set(UndertowOptions.ENABLE_HTTP2, false)
                .set(UndertowOptions.MAX_HEADER_SIZE, ProxyServer.UNDERTOW_HEADER_BACKSTOP)
                .set(UndertowOptions.ALWAYS_SET_KEEP_ALIVE, false)
                .getMap());
    listener.setRootHandler(root);
    return listener;
  }

  private static synchronized LoopbackListener start(ChannelListener<StreamConnection> open) {
    try {
      if (worker == null) {
        worker =
            Xnio.getInstance(Undertow.class.getClassLoader())
                .createWorker(
                    OptionMap.builder()
                        .set(Options.WORKER_IO_THREADS, 1)
                        .set(Options.WORKER_TASK_CORE_THREADS, 1)
                        .set(Options.WORKER_TASK_MAX_THREADS, 2)
                        .set(Options.WORKER_NAME, "fuzz")
                        .getMap());
      }
      AcceptingChannel<StreamConnection> channel =
          worker.createStreamConnectionServer(
              new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
              ChannelListeners.openListenerAdapter(open),
              OptionMap.create(Options.REUSE_ADDRESSES, true));
      channel.resumeAccepts();
      return new LoopbackListener(channel.getLocalAddress(InetSocketAddress.class));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Sends {@code bytes}, half-closes, and reads until the listener closes. Resets the connection at
   * the end (linger 0) so that thousands of executions leave no TIME_WAIT sockets behind.
   *
   * @throws SocketTimeoutException when the listener neither answers nor closes in time (a hang)
   */
  public Answer send(byte[] bytes) throws IOException {
    try (Socket socket = new Socket()) {
      socket.setSoLinger(true, 0);
      socket.setSoTimeout(8_000);
      socket.connect(address, 8_000);
      try {
        socket.getOutputStream().write(bytes);
        socket.shutdownOutput();
      } catch (IOException e) {
        // The listener may close before reading everything (a refused PROXY header): what it
        // answered until then is still readable.
      }
      ByteArrayOutputStream answer = new ByteArrayOutputStream();
      InputStream in = socket.getInputStream();
      byte[] chunk = new byte[4096];
      try {
        for (int n; (n = in.read(chunk)) >= 0 && answer.size() < ANSWER_LIMIT; ) {
          answer.write(chunk, 0, n);
        }
      } catch (SocketTimeoutException e) {
        throw e;
      } catch (IOException e) {
        // Reset by the listener after its answer: keep what came.
      }
      String text = answer.toString(StandardCharsets.ISO_8859_1);
      return new Answer(status(text), text);
    }
  }

  private static int status(String text) {
    if (!text.startsWith("HTTP/1.1 ") || text.length() < 12) {
      return -1;
    }
    try {
      return Integer.parseInt(text.substring(9, 12));
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  /**
   * Lets a fuzz target connect here: Jazzer's SSRF detector, when fuzzing, refuses every connection
   * a target makes unless allowed, and this one is the point of the target. Call it in the target's
   * body, never in set-up: Jazzer's API binds to its detectors when first used, and they are loaded
   * only once fuzzing starts. Outside a fuzzing run there is nothing to allow.
   */
  public SilentCloseable allowConnections() {
    try {
      return BugDetectors.allowNetworkConnections(
          (host, port) -> port == address.getPort() && isLoopback(host));
    } catch (IllegalStateException noSanitizers) {
      return () -> {};
    }
  }

  private static boolean isLoopback(String host) {
    InetAddress literal = Cidr.address(host);
    return host.equals("localhost") || (literal != null && literal.isLoopbackAddress());
  }
}
