package io.wssguard.observe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.undertow.Undertow;
import io.undertow.protocols.ssl.UndertowXnioSsl;
import io.wssguard.config.CertificateConfig;
import io.wssguard.config.TlsConfig;
import io.wssguard.config.TlsEngine;
import io.wssguard.tls.ServerTls;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xnio.ChannelListener;
import org.xnio.ChannelListeners;
import org.xnio.IoUtils;
import org.xnio.OptionMap;
import org.xnio.Options;
import org.xnio.StreamConnection;
import org.xnio.Xnio;
import org.xnio.XnioWorker;
import org.xnio.channels.AcceptingChannel;
import org.xnio.ssl.SslConnection;

/**
 * {@link TlsHandshakes} on a real XNIO TLS listener: each handshake is counted once, as completed
 * or as closed before completion, and the close listeners set on the connection before it (the
 * accept gate's) and by the listener it wraps (HTTP's, the relay's) each run exactly once. XNIO
 * merges close listeners itself, so chaining the previous one by hand ran it twice.
 */
class TlsHandshakesTest {
  private static final int EACH = 3;

  @TempDir Path dir;
  private XnioWorker worker;
  private AcceptingChannel<SslConnection> server;
  private final Metrics metrics = new Metrics(List.of());
  private final AtomicInteger before = new AtomicInteger();
  private final AtomicInteger inner = new AtomicInteger();
  private final AtomicInteger after = new AtomicInteger();
  private final CountDownLatch closed = new CountDownLatch(2 * EACH);

  @BeforeEach
  void start() throws Exception {
    ServerTls tls =
        ServerTls.create(
            new TlsConfig(
                TlsEngine.JDK,
                false,
                List.of(
                    new CertificateConfig(
                        dir.resolve("cert.pem"), dir.resolve("key.pem"), List.of(), true)),
                List.of("TLSv1.3")));
    Xnio xnio = Xnio.getInstance(Undertow.class.getClassLoader());
    worker = xnio.createWorker(OptionMap.create(Options.WORKER_IO_THREADS, 1));
    // The wrapped listener stands for HTTP: it sets its own close listener and reads until EOF.
    ChannelListener<StreamConnection> wrapped =
        c -> {
          c.setCloseListener(x -> inner.incrementAndGet());
          ByteBuffer sink = ByteBuffer.allocate(1024);
          c.getSourceChannel()
              .setReadListener(
                  ch -> {
                    try {
                      int n;
                      while ((n = ch.read(sink.clear())) > 0) {
                        // discard
                      }
                      if (n < 0) {
                        IoUtils.safeClose(c);
                      }
                    } catch (IOException e) {
                      IoUtils.safeClose(c);
                    }
                  });
          c.getSourceChannel().resumeReads();
        };
    TlsHandshakes timed = new TlsHandshakes(metrics, "test", wrapped, c -> {});
    // Before it, as the accept gate; after it, a marker merged last, so it runs after the rest.
    ChannelListener<StreamConnection> accepted =
        c -> {
          c.setCloseListener(x -> before.incrementAndGet());
          timed.handleEvent(c);
          c.setCloseListener(
              x -> {
                after.incrementAndGet();
                closed.countDown();
              });
        };
    @SuppressWarnings({"unchecked", "rawtypes"})
    ChannelListener<? super AcceptingChannel<SslConnection>> open =
        (ChannelListener) ChannelListeners.openListenerAdapter(accepted);
    server =
        new UndertowXnioSsl(xnio, OptionMap.EMPTY, tls.sslContext())
            .createSslConnectionServer(
                worker,
                new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                open,
                OptionMap.create(Options.REUSE_ADDRESSES, true));
    server.resumeAccepts();
  }

  @AfterEach
  void stop() {
    IoUtils.safeClose(server);
    if (worker != null) {
      worker.shutdownNow();
    }
  }

  @Test
  void eachCloseListenerRunsOnce_andEachHandshakeCountsOnce_completedOrNot() throws Exception {
    int port = server.getLocalAddress(InetSocketAddress.class).getPort();
    SSLContext client = clientTrusting(dir.resolve("cert.pem"));
    for (int i = 0; i < EACH; i++) {
      try (SSLSocket s = (SSLSocket) client.getSocketFactory().createSocket("127.0.0.1", port)) {
        s.startHandshake();
      }
      try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
        s.getOutputStream().flush(); // closed before any ClientHello
      }
    }

    assertTrue(closed.await(20, TimeUnit.SECONDS), "not every connection closed");
    assertEquals(2 * EACH, before.get(), "the accept gate's close listener");
    assertEquals(2 * EACH, inner.get(), "the wrapped listener's close listener");
    assertEquals(2 * EACH, after.get());
    assertEquals(EACH, metrics.tlsPhase.count(), "completed handshakes");
    assertEquals(EACH, failures("closed_before_handshake"));
  }

  /** A client that trusts the generated certificate. */
  private static SSLContext clientTrusting(Path pem) throws Exception {
    KeyStore trusted = KeyStore.getInstance(KeyStore.getDefaultType());
    trusted.load(null, null);
    try (InputStream in = Files.newInputStream(pem)) {
      trusted.setCertificateEntry(
          "server", CertificateFactory.getInstance("X.509").generateCertificate(in));
    }
    TrustManagerFactory tmf =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(trusted);
    SSLContext client = SSLContext.getInstance("TLS");
    client.init(null, tmf.getTrustManagers(), null);
    return client;
  }

  private double failures(String reason) {
    Matcher m =
        Pattern.compile(
                "(?m)^wssguard_tls_handshake_failures_total\\{listener=\"test\",reason=\""
                    + reason
                    + "\",?} (\\S+)$")
            .matcher(metrics.scrape());
    return m.find() ? Double.parseDouble(m.group(1)) : 0;
  }
}
