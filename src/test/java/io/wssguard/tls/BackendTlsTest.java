package io.wssguard.tls;

import static io.wssguard.tls.TestCertificates.KeyType.EC;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.wssguard.config.BackendTlsConfig;
import java.io.EOFException;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import javax.net.ssl.ExtendedSSLSession;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BackendTlsTest {
  @TempDir Path dir;
  TestCertificates.Ca ca;
  SSLServerSocket backend;
  final BlockingQueue<String> sniSeen = new ArrayBlockingQueue<>(16);

  @BeforeEach
  void startBackend() throws Exception {
    ca = TestCertificates.ca(EC, "backend CA");
    TestCertificates.Leaf leaf = ca.issue(dir, EC, "backend.test", "localhost");
    KeyStore store = KeyStore.getInstance("PKCS12");
    store.load(null, null);
    store.setKeyEntry(
        "leaf",
        leaf.keys().getPrivate(),
        new char[0],
        new X509Certificate[] {leaf.certificate(), ca.certificate()});
    KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    kmf.init(store, new char[0]);
    SSLContext server = SSLContext.getInstance("TLS");
    server.init(kmf.getKeyManagers(), null, null);
    backend = (SSLServerSocket) server.getServerSocketFactory().createServerSocket(0, 8, null);
    Thread acceptor =
        new Thread(
            () -> {
              while (!backend.isClosed()) {
                try (SSLSocket s = (SSLSocket) backend.accept()) {
                  s.setSoTimeout(5_000);
                  s.startHandshake();
                  List<?> names = ((ExtendedSSLSession) s.getSession()).getRequestedServerNames();
                  sniSeen.add(names.isEmpty() ? "" : ((SNIHostName) names.get(0)).getAsciiName());
                  s.getOutputStream().write(42);
                  s.getOutputStream().flush();
                  s.getInputStream().read();
                } catch (IOException ignored) {
                  // a refused handshake, or the socket closed at the end of the test
                }
              }
            },
            "test-backend");
    acceptor.setDaemon(true);
    acceptor.start();
  }

  @AfterEach
  void stopBackend() throws IOException {
    backend.close();
  }

  /**
   * Handshakes {@code engine} with the backend over a blocking channel and returns the first
   * application byte.
   */
  private int connect(SSLContext context, String host) throws IOException {
    SSLEngine engine = context.createSSLEngine(host, backend.getLocalPort());
    try (SocketChannel channel =
        SocketChannel.open(
            new InetSocketAddress(InetAddress.getLoopbackAddress(), backend.getLocalPort()))) {
      channel.socket().setSoTimeout(5_000);
      ByteBuffer out = ByteBuffer.allocate(32 * 1024);
      ByteBuffer in = ByteBuffer.allocate(32 * 1024);
      ByteBuffer app = ByteBuffer.allocate(32 * 1024);
      engine.beginHandshake();
      while (true) {
        switch (engine.getHandshakeStatus()) {
          case NEED_WRAP -> {
            out.clear();
            engine.wrap(ByteBuffer.allocate(0), out);
            out.flip();
            while (out.hasRemaining()) {
              channel.write(out);
            }
          }
          case NEED_TASK -> {
            for (Runnable t = engine.getDelegatedTask(); t != null; t = engine.getDelegatedTask()) {
              t.run();
            }
          }
          case NEED_UNWRAP, NEED_UNWRAP_AGAIN -> {
            in.flip();
            SSLEngineResult r = engine.unwrap(in, app);
            in.compact();
            if (r.getStatus() == SSLEngineResult.Status.BUFFER_UNDERFLOW && channel.read(in) < 0) {
              throw new EOFException("backend closed during handshake");
            }
          }
          default -> {
            while (app.position() == 0) {
              if (channel.read(in) < 0) {
                throw new EOFException();
              }
              in.flip();
              engine.unwrap(in, app);
              in.compact();
            }
            return app.get(0);
          }
        }
      }
    }
  }

  @Test
  void trustsCaFile_andSendsSni() throws Exception {
    SSLContext context =
        BackendTls.clientContext(new BackendTlsConfig(ca.writePem(dir.resolve("ca.pem")), false));
    assertEquals(42, connect(context, "backend.test"));
    assertEquals("backend.test", sniSeen.take());
  }

  @Test
  void configuresEngines_forVerifiedTls12And13() throws Exception {
    SSLContext context =
        BackendTls.clientContext(new BackendTlsConfig(ca.writePem(dir.resolve("ca.pem")), false));
    SSLEngine engine = context.createSSLEngine("backend.test", 443);
    assertEquals("HTTPS", engine.getSSLParameters().getEndpointIdentificationAlgorithm());
    assertArrayEquals(new String[] {"TLSv1.3", "TLSv1.2"}, engine.getEnabledProtocols());
    assertEquals(
        List.of(new SNIHostName("backend.test")), engine.getSSLParameters().getServerNames());
    assertEquals(true, engine.getUseClientMode());
  }

  @Test
  void rejects_certificateForAnotherName() throws Exception {
    SSLContext context =
        BackendTls.clientContext(new BackendTlsConfig(ca.writePem(dir.resolve("ca.pem")), false));
    assertThrows(SSLHandshakeException.class, () -> connect(context, "other.test"));
  }

  @Test
  void rejects_unknownCa_withDefaultTrustStore() throws Exception {
    SSLContext context = BackendTls.clientContext(BackendTlsConfig.DEFAULT);
    assertThrows(SSLHandshakeException.class, () -> connect(context, "backend.test"));
  }

  @Test
  void insecure_acceptsAnyCertificateAndName() throws Exception {
    SSLContext context = BackendTls.clientContext(new BackendTlsConfig(null, true));
    assertEquals(42, connect(context, "other.test"));
  }
}
