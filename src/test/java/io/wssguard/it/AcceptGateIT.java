package io.wssguard.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.wssguard.ban.MemoryBans;
import io.wssguard.testing.TrustAll;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A banned source is closed right after accept, before a TLS handshake is paid for and before HTTP
 * is parsed, with no kernel firewall configured; the refusal is counted.
 */
class AcceptGateIT {
  private static final String BANNED = "127.0.0.3";

  @TempDir static Path certs;
  static NodeBackend node;
  static TestProxy proxy;

  @BeforeAll
  static void start() throws Exception {
    node = NodeBackend.start();
    MemoryBans bans = new MemoryBans();
    bans.ban(InetAddress.getByName(BANNED), 32, Duration.ofHours(1), "test", List.of(), "test");
    proxy =
        TestProxy.builder(certs)
            .backend("node", node.url("/"))
            .route("/", "node")
            .bans(bans)
            .start();
  }

  @AfterAll
  static void stop() {
    proxy.close();
    node.close();
  }

  static double metric(TestProxy proxy, String name, String... labels) {
    return AdminClient.value(
        AdminClient.parse(proxy.server.observability().metrics().scrape()), name, labels);
  }

  /** Connects from {@code source}; reads until the proxy closes (fails on a 5 s silence). */
  private static byte[] sendAndReadToEnd(String source, String listener, byte[] send)
      throws IOException {
    try (Socket s = new Socket()) {
      s.bind(new InetSocketAddress(source, 0));
      s.connect(
          new InetSocketAddress(InetAddress.getLoopbackAddress(), proxy.port(listener)), 5000);
      s.setSoTimeout(5000);
      try {
        s.getOutputStream().write(send);
        s.getOutputStream().flush();
        return s.getInputStream().readAllBytes();
      } catch (SocketException reset) {
        return new byte[0];
      }
    }
  }

  @Test
  void closesBannedSource_beforeTlsHandshake() throws Exception {
    double before = metric(proxy, "wssguard_connections_refused_total", "reason", "banned");
    // Nothing is sent: a TLS listener that had not refused would wait for the ClientHello.
    byte[] got = sendAndReadToEnd(BANNED, "boring", new byte[0]);
    assertTrue(got.length == 0 || got[0] == 0x15, "no handshake record, at most an alert");
    assertEquals(
        before + 1, metric(proxy, "wssguard_connections_refused_total", "reason", "banned"));
    assertEquals(0, metric(proxy, "wssguard_tls_handshake_failures_total"));
  }

  @Test
  void failsTlsHandshakeOfBannedSource() throws Exception {
    Socket plain = new Socket();
    plain.bind(new InetSocketAddress(BANNED, 0));
    plain.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), proxy.port("jdk")), 5000);
    plain.setSoTimeout(5000);
    try (SSLSocket s =
        (SSLSocket)
            TrustAll.context()
                .getSocketFactory()
                .createSocket(plain, "localhost", proxy.port("jdk"), true)) {
      // The proxy closes before any TLS byte: the client sees the reset or a handshake failure.
      IOException e = assertThrows(IOException.class, s::startHandshake);
      assertTrue(e instanceof SSLException || e instanceof SocketException, e.toString());
    }
  }

  @Test
  void closesBannedSource_beforeHttpIsParsed() throws Exception {
    byte[] got =
        sendAndReadToEnd(
            BANNED, "plain", RawClient.upgradeRequest("/").getBytes(StandardCharsets.US_ASCII));
    assertEquals("", new String(got, StandardCharsets.ISO_8859_1), "no HTTP answer at all");
  }

  @Test
  void servesSourcesThatAreNotBanned() throws Exception {
    try (RawClient c = RawClient.connect(proxy.port("boring"), true, "127.0.0.4")) {
      c.upgrade("/");
    }
  }
}
