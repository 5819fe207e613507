package io.wssguard.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.wssguard.ban.MemoryBans;
import io.wssguard.config.AdminConfig;
import io.wssguard.config.TimeoutsConfig;
import io.wssguard.demo.DemoEchoBackend;
import io.wssguard.net.Cidr;
import io.wssguard.testing.Await;
import io.wssguard.testing.TrustAll;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A ban closes at once the banned source's connections that are still in their handshake (TCP only,
 * half a ClientHello, TLS done but no request, half a request head), so a flood accepted before its
 * ban costs no more handshakes; its upgraded conversations and other sources' handshakes go on. A
 * ban that closed nothing (one loaded without a report) is found when a TLS handshake completes,
 * before the request is read.
 *
 * <p>The handshake timeout is a minute, so that nothing here is closed by it: a connection read
 * from ends within the 5 s read timeout only if the ban closed it.
 */
class BanDropsHandshakesIT {
  private static final String BANNED = "127.0.0.5";
  private static final String OTHER = "127.0.0.6";
  private static final String LOAD_BALANCER = "127.0.0.1";
  private static final Duration WITHIN = Duration.ofSeconds(10);
  private static final String LATE_101 =
      String.join(
          "\r\n",
          "HTTP/1.1 101 Switching Protocols",
          "Upgrade: websocket",
          "Connection: Upgrade",
          "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=",
          "",
          "");

  @TempDir Path dir;
  private DemoEchoBackend demo;
  private TestProxy proxy;
  private ServerSocket slowBackend; // answers only when a test says so
  private final List<Socket> sockets = new ArrayList<>();

  @AfterEach
  void stop() throws IOException {
    for (Socket s : sockets) {
      s.close();
    }
    if (proxy != null) {
      proxy.close();
    }
    if (demo != null) {
      demo.close();
    }
    if (slowBackend != null) {
      slowBackend.close();
    }
  }

  private TestProxy start(MemoryBans bans) throws Exception {
    demo = DemoEchoBackend.start(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
    slowBackend = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    proxy =
        TestProxy.builder(dir)
            .backend("demo", "ws://127.0.0.1:" + demo.address().getPort() + "/")
            .backend("slow", "ws://127.0.0.1:" + slowBackend.getLocalPort() + "/")
            .route("/slow", "slow")
            .route("/", "demo")
            .proxyProtocolFrom(List.of(Cidr.parse(LOAD_BALANCER + "/32")))
            .bans(bans)
            .admin(
                new AdminConfig(
                    new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                    dir.resolve("state/admin.token"),
                    false,
                    true))
            .timeouts(
                new TimeoutsConfig(
                    Duration.ofSeconds(60),
                    8192,
                    Duration.ofSeconds(300),
                    Duration.ofSeconds(30),
                    Duration.ofSeconds(5)))
            .start();
    return proxy;
  }

  /** A TCP connection from {@code source} to {@code listener} that has sent nothing yet. */
  private Socket connect(String source, String listener) throws IOException {
    Socket s = new Socket();
    sockets.add(s);
    s.bind(new InetSocketAddress(source, 0));
    s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), proxy.port(listener)), 5000);
    s.setSoTimeout(5000);
    return s;
  }

  /** TLS over {@code plain}, handshake done, trusting the test certificate. */
  private static SSLSocket tls(Socket plain) throws IOException {
    SSLSocket s =
        (SSLSocket)
            TrustAll.context()
                .getSocketFactory()
                .createSocket(plain, "localhost", plain.getPort(), true);
    s.setSoTimeout(5000);
    s.startHandshake();
    return s;
  }

  /** Whether the proxy ended the connection (EOF or reset) before the read timeout; no bytes. */
  private static boolean endedWithoutAnswer(Socket s) throws IOException {
    InputStream in = s.getInputStream();
    try {
      int first = in.read();
      return first < 0;
    } catch (SocketTimeoutException stillOpen) {
      return false;
    } catch (IOException endedOrReset) {
      return true;
    }
  }

  /** Sends an upgrade request and returns the answer's head. */
  private static String upgrade(Socket s) throws IOException {
    s.getOutputStream().write(RawClient.upgradeRequest("/").getBytes(StandardCharsets.US_ASCII));
    s.getOutputStream().flush();
    return readHead(s);
  }

  /** Reads up to the blank line that ends a head. */
  private static String readHead(Socket s) throws IOException {
    InputStream in = s.getInputStream();
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    while (!head.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
      int c = in.read();
      if (c < 0) {
        throw new IOException("closed after: " + head);
      }
      head.write(c);
    }
    return head.toString(StandardCharsets.ISO_8859_1);
  }

  /** Bans {@code source} through the admin API, as an operator or {@code wssguard ban} does. */
  private void banThroughAdminApi(String source) throws Exception {
    HttpResponse<String> ban =
        AdminClient.withTokenFrom(proxy.server.adminUrl(), dir.resolve("state/admin.token"))
            .send("POST", "/bans", "{\"target\":\"" + source + "\",\"for\":\"10m\"}");
    assertEquals(201, ban.statusCode(), ban.body());
  }

  private double metric(String name, String... labels) {
    return AdminClient.value(
        AdminClient.parse(proxy.server.observability().metrics().scrape()), name, labels);
  }

  @Test
  void banThroughTheAdminApi_dropsTheSourcesHandshakes_notItsConversations_norOthers()
      throws Exception {
    start(new MemoryBans());
    try (RawClient conversation = RawClient.connect(proxy.port("boring"), true, BANNED)) {
      conversation.upgrade("/");
      Socket silent = connect(BANNED, "boring");
      Socket halfHello = connect(BANNED, "boring");
      // A TLS handshake record header announcing 512 bytes, and only the first few of them.
      halfHello.getOutputStream().write(new byte[] {0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00});
      halfHello.getOutputStream().flush();
      SSLSocket noRequest = tls(connect(BANNED, "boring"));
      Socket halfHead = connect(BANNED, "plain");
      halfHead
          .getOutputStream()
          .write("GET / HTTP/1.1\r\nHost: x\r\n".getBytes(StandardCharsets.US_ASCII));
      halfHead.getOutputStream().flush();
      Socket other = connect(OTHER, "boring");
      Await.until(
          () -> proxy.server.openHandshakes() == 5,
          WITHIN,
          () -> "5 handshakes under way, not " + proxy.server.openHandshakes());

      banThroughAdminApi(BANNED);

      assertTrue(endedWithoutAnswer(silent), "TCP only");
      assertTrue(endedWithoutAnswer(halfHello), "half a ClientHello");
      assertTrue(endedWithoutAnswer(noRequest), "TLS done, no request yet");
      assertTrue(endedWithoutAnswer(halfHead), "half a request head");
      assertEquals(
          4.0,
          metric("wssguard_connections_dropped_banned_total", "stage", "in_handshake"),
          "each dropped connection counted");
      // Its close listener runs just after the socket is closed: wait for it, not for the other's.
      Await.until(
          () -> proxy.server.openHandshakes() == 1,
          WITHIN,
          () -> "only the other source's connection kept, not " + proxy.server.openHandshakes());

      // The conversation upgraded before the ban goes on, as a ban always left conversations.
      conversation.send(RawClient.frame(0x81, "still here".getBytes(StandardCharsets.UTF_8)));
      assertEquals("still here", conversation.readFrame().text());

      SSLSocket otherTls = tls(other);
      String head = upgrade(otherTls);
      assertTrue(head.startsWith("HTTP/1.1 101"), head);
      otherTls.close();
    }
    // Upgraded, dropped or closed: every connection has left the registry.
    Await.until(
        () -> proxy.server.openHandshakes() == 0,
        WITHIN,
        () -> proxy.server.openHandshakes() + " connections still registered");
  }

  @Test
  void sourceBannedWithoutReport_isDroppedWhenItsTlsHandshakeCompletes() throws Exception {
    MemoryBans bans = new MemoryBans();
    start(bans);
    Socket plain = connect(BANNED, "boring");
    Await.until(
        () -> proxy.server.openHandshakes() == 1, WITHIN, "the connection under way is registered");
    // Straight into the ban list: no ban event, so nothing is closed when it lands (as with the
    // fleet's bans loaded at a reconnect).
    bans.ban(InetAddress.getByName(BANNED), 32, Duration.ofMinutes(10), "test", List.of(), "test");
    assertEquals(1, proxy.server.openHandshakes(), "the ban alone closed nothing");

    SSLSocket s = tls(plain);
    assertTrue(endedWithoutAnswer(s), "closed after the TLS handshake, no HTTP read or answered");
    assertEquals(1.0, metric("wssguard_connections_dropped_banned_total", "stage", "after_tls"));
    Await.until(() -> proxy.server.openHandshakes() == 0, WITHIN, "the registry is empty");
  }

  @Test
  void banDropsHandshakes_namedByAProxyProtocolHeader() throws Exception {
    start(new MemoryBans());
    byte[] header =
        ("PROXY TCP4 " + BANNED + " 127.0.0.1 40001 443\r\n").getBytes(StandardCharsets.US_ASCII);
    // From the load balancer: the header names the banned client, then its TLS never starts.
    Socket viaBalancer = connect(LOAD_BALANCER, "proxied-tls");
    viaBalancer.getOutputStream().write(header);
    viaBalancer.getOutputStream().flush();
    Await.until(
        () -> proxy.server.openHandshakes() == 1,
        WITHIN,
        "the named client's handshake is registered");

    banThroughAdminApi(BANNED);

    assertTrue(endedWithoutAnswer(viaBalancer), "the banned client's connection is dropped");
    assertEquals(1.0, metric("wssguard_connections_dropped_banned_total", "stage", "in_handshake"));
    Await.until(() -> proxy.server.openHandshakes() == 0, WITHIN, "it has left the registry");
  }

  @Test
  void banDuringTheBackendDial_dropsTheClient_andGivesTheBackendConnectionBack() throws Exception {
    start(new MemoryBans());
    Socket client = connect(BANNED, "plain");
    client
        .getOutputStream()
        .write(RawClient.upgradeRequest("/slow").getBytes(StandardCharsets.US_ASCII));
    client.getOutputStream().flush();
    slowBackend.setSoTimeout(5000);
    try (Socket backend = slowBackend.accept()) {
      backend.setSoTimeout(5000);
      readHead(backend); // the proxy is waiting for the backend's 101 now

      banThroughAdminApi(BANNED);
      assertTrue(endedWithoutAnswer(client), "dropped while its backend was being dialled");

      // The backend accepts late (the answer to RFC 6455's sample key): the proxy, its client
      // gone, closes the backend connection instead of keeping it for a conversation that is not.
      backend.getOutputStream().write(LATE_101.getBytes(StandardCharsets.US_ASCII));
      backend.getOutputStream().flush();
      assertTrue(endedWithoutAnswer(backend), "the backend connection is closed");
    }
    Await.until(
        () ->
            metric("wssguard_backend_connections", "group", "slow")
                    + proxy.server.openHandshakes()
                    + proxy.server.openRelays()
                == 0,
        WITHIN,
        "no backend connection, handshake or relay left");
  }
}
