package io.wssguard.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.wssguard.ban.MemoryBans;
import io.wssguard.config.TimeoutsConfig;
import io.wssguard.net.Cidr;
import io.wssguard.policy.AccessRules;
import io.wssguard.testing.TrustAll;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Listeners behind an L4 load balancer: the PROXY protocol header (v1 and v2) names the client, it
 * is believed only from the configured load balancers, and policies apply to the address it names.
 */
class ProxyProtocolIT {
  @TempDir static Path certs;
  static NodeBackend node;
  static TestProxy proxy;
  static final Duration HEADER_TIMEOUT = Duration.ofSeconds(2);
  static final String BANNED = "203.0.113.66";

  @BeforeAll
  static void start() throws Exception {
    node = NodeBackend.start();
    MemoryBans bans = new MemoryBans();
    bans.ban(InetAddress.getByName(BANNED), 32, Duration.ofHours(1), "test", List.of(), "test");
    AccessRules access =
        new AccessRules(List.of(), List.of(Cidr.parse("198.51.100.0/24")), List.of(), 64);
    proxy =
        TestProxy.builder(certs)
            .backend("node", node.url("/"))
            .route("/", "node")
            .proxyProtocolFrom(List.of(Cidr.parse("127.0.0.1/32")))
            .bans(bans)
            .timeouts(
                new TimeoutsConfig(
                    HEADER_TIMEOUT,
                    8192,
                    Duration.ofSeconds(300),
                    Duration.ofSeconds(30),
                    Duration.ofSeconds(5)))
            .policies(TestPolicies.set(TestPolicies.accessOnly("default", access)))
            .start();
  }

  @AfterAll
  static void stop() {
    proxy.close();
    node.close();
  }

  private static final byte[] V2_SIGNATURE = {
    0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A
  };

  /** A PROXY v2 header (RFC-like spec by HAProxy, section 2.2) for TCP over IPv4. */
  private static byte[] v2(String client, int clientPort, int proxyPort) throws Exception {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    b.writeBytes(V2_SIGNATURE);
    b.write(0x21); // version 2, PROXY
    b.write(0x11); // AF_INET, STREAM
    b.write(0);
    b.write(12);
    b.writeBytes(InetAddress.getByName(client).getAddress());
    b.writeBytes(InetAddress.getLoopbackAddress().getAddress());
    b.write(clientPort >>> 8);
    b.write(clientPort);
    b.write(proxyPort >>> 8);
    b.write(proxyPort);
    return b.toByteArray();
  }

  /** A PROXY v2 header for TCP over IPv6, with an AUTHORITY and a NOOP TLV after the addresses. */
  private static byte[] v2Ipv6WithTlvs(String client) throws Exception {
    byte[] authority = "ws.example.com".getBytes(StandardCharsets.US_ASCII);
    ByteArrayOutputStream tlvs = new ByteArrayOutputStream();
    tlvs.write(0x02); // PP2_TYPE_AUTHORITY
    tlvs.write(0);
    tlvs.write(authority.length);
    tlvs.writeBytes(authority);
    tlvs.writeBytes(new byte[] {0x04, 0, 3, 0, 0, 0}); // PP2_TYPE_NOOP, 3 bytes of padding
    int length = 36 + tlvs.size();
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    b.writeBytes(V2_SIGNATURE);
    b.write(0x21); // version 2, PROXY
    b.write(0x21); // AF_INET6, STREAM
    b.write(length >>> 8);
    b.write(length);
    b.writeBytes(InetAddress.getByName(client).getAddress());
    b.writeBytes(Cidr.address("::1").getAddress());
    b.writeBytes(new byte[] {(byte) 0x9c, 0x40, 0x01, (byte) 0xbb}); // ports 40000, 443
    b.writeBytes(tlvs.toByteArray());
    return b.toByteArray();
  }

  /**
   * Writes {@code bytes} in pieces ending at {@code ends} (the last piece runs to the end), each
   * flushed on its own with Nagle off, and pauses between them: pacing, not waiting for a state, so
   * that the proxy's IO thread gets the chance to read each piece on its own, as it would from a
   * load balancer whose header TCP splits.
   */
  private static void writeInPieces(Socket s, byte[] bytes, int... ends) throws Exception {
    s.setTcpNoDelay(true);
    OutputStream out = s.getOutputStream();
    int from = 0;
    for (int end : ends) {
      out.write(bytes, from, end - from);
      out.flush();
      from = end;
      Thread.sleep(PIECE_PAUSE_MILLIS);
    }
    out.write(bytes, from, bytes.length - from);
    out.flush();
  }

  private static final long PIECE_PAUSE_MILLIS = 15;

  /** {@code 1, 2, ..., n - 1}: a piece per byte. */
  private static int[] everyByte(int n) {
    int[] ends = new int[n - 1];
    for (int i = 0; i < ends.length; i++) {
      ends[i] = i + 1;
    }
    return ends;
  }

  /**
   * The upgrade to /headers after {@code header} written in pieces; the headers the backend saw.
   */
  private static String headersSeenAfterSplitHeader(byte[] header, int... ends) throws Exception {
    try (Socket s = new Socket()) {
      s.connect(
          new InetSocketAddress(InetAddress.getLoopbackAddress(), proxy.port("proxied")), 5000);
      s.setSoTimeout(10_000);
      writeInPieces(s, header, ends);
      s.getOutputStream()
          .write(RawClient.upgradeRequest("/headers").getBytes(StandardCharsets.ISO_8859_1));
      s.getOutputStream().flush();
      InputStream in = s.getInputStream();
      String head = readHead(in);
      if (!head.startsWith("HTTP/1.1 101")) {
        return head;
      }
      in.read();
      int len = in.read() & 0x7f;
      if (len == 126) {
        len = (in.read() << 8) | in.read();
      }
      return new String(in.readNBytes(len), StandardCharsets.UTF_8);
    }
  }

  @Test
  void takesClientFromProxyV2Header_sentOneBytePerSegment() throws Exception {
    byte[] header = v2("203.0.113.30", 40010, 443);
    String seen = headersSeenAfterSplitHeader(header, everyByte(header.length));
    assertTrue(seen.contains("\"x-forwarded-for\":\"203.0.113.30\""), seen);
  }

  @Test
  void takesClientFromProxyV2Header_splitAtSignatureLengthAddressesAndTlvs() throws Exception {
    byte[] header = v2Ipv6WithTlvs("2001:db8:7::31");
    // signature | version and family | length | addresses and ports | first TLV | second TLV
    String seen = headersSeenAfterSplitHeader(header, 12, 14, 16, 16 + 36, 16 + 36 + 17);
    assertTrue(seen.contains("\"x-forwarded-for\":\"2001:db8:7:0:0:0:0:31\""), seen);
  }

  @Test
  void takesClientFromProxyV1Header_sentOneBytePerSegment() throws Exception {
    byte[] header =
        "PROXY TCP4 203.0.113.32 127.0.0.1 40011 443\r\n".getBytes(StandardCharsets.US_ASCII);
    String seen = headersSeenAfterSplitHeader(header, everyByte(header.length));
    assertTrue(seen.contains("\"x-forwarded-for\":\"203.0.113.32\""), seen);
  }

  @Test
  void closesSenderThatNeverFinishesAV2Header_afterTheHandshakeTimeout() throws Exception {
    byte[] header = v2Ipv6WithTlvs("2001:db8:7::33");
    assertClosedAtTheHeaderTimeout(Arrays.copyOf(header, header.length - 5));
  }

  @Test
  void closesAtOnce_aV2HeaderLongerThanTheCap() throws Exception {
    byte[] header = v2("203.0.113.34", 40012, 443);
    header[14] = (byte) 0xff; // length 65535: beyond what any load balancer sends
    header[15] = (byte) 0xff;
    try (RawClient c = RawClient.connect(proxy.port("proxied"), false)) {
      c.out.write(header);
      c.out.flush();
      long start = System.nanoTime();
      assertTrue(c.closedByPeer(), "closed");
      long tookMillis = (System.nanoTime() - start) / 1_000_000;
      assertTrue(tookMillis < HEADER_TIMEOUT.toMillis() / 2, "closed after " + tookMillis + " ms");
    }
  }

  /**
   * Sends {@code preface} then an upgrade to /headers; returns the headers the backend saw (as
   * JSON).
   */
  private static String headersSeen(String listener, byte[] preface, boolean tls) throws Exception {
    int port = proxy.port(listener);
    Socket raw = new Socket();
    raw.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 5000);
    raw.setSoTimeout(10_000);
    raw.getOutputStream().write(preface);
    raw.getOutputStream().flush();
    Socket s = raw;
    if (tls) {
      SSLSocket ssl =
          (SSLSocket)
              TrustAll.context().getSocketFactory().createSocket(raw, "localhost", port, true);
      ssl.startHandshake();
      s = ssl;
    }
    try (Socket c = s) {
      OutputStream out = c.getOutputStream();
      InputStream in = c.getInputStream();
      out.write(RawClient.upgradeRequest("/headers").getBytes(StandardCharsets.ISO_8859_1));
      out.flush();
      String head = readHead(in);
      if (!head.startsWith("HTTP/1.1 101")) {
        return head;
      }
      int b1 = in.read();
      int len = in.read() & 0x7f;
      if (len == 126) {
        len = (in.read() << 8) | in.read();
      }
      return new String(in.readNBytes(len), StandardCharsets.UTF_8) + (b1 == 0x81 ? "" : "?");
    }
  }

  private static String readHead(InputStream in) throws Exception {
    StringBuilder sb = new StringBuilder();
    while (!sb.toString().endsWith("\r\n\r\n")) {
      int c = in.read();
      if (c < 0) {
        break;
      }
      sb.append((char) c);
    }
    return sb.toString();
  }

  @Test
  void takesClientAddressFromProxyV2Header() throws Exception {
    String seen = headersSeen("proxied", v2("203.0.113.7", 40000, 443), false);
    assertTrue(seen.contains("\"x-forwarded-for\":\"203.0.113.7\""), seen);
  }

  @Test
  void takesClientAddressFromProxyV1Header_beforeTls() throws Exception {
    byte[] v1 =
        "PROXY TCP4 203.0.113.8 127.0.0.1 40001 443\r\n".getBytes(StandardCharsets.US_ASCII);
    String seen = headersSeen("proxied-tls", v1, true);
    assertTrue(seen.contains("\"x-forwarded-for\":\"203.0.113.8\""), seen);
    assertTrue(seen.contains("\"x-forwarded-proto\":\"https\""), seen);
  }

  @Test
  void appliesPolicyToTheNamedClient() throws Exception {
    String seen = headersSeen("proxied", v2("198.51.100.20", 40002, 443), false);
    assertEquals(403, RawClient.status(seen), seen);
  }

  @Test
  void closesConnectionsFromPeersThatAreNotTrusted() throws Exception {
    try (RawClient c = RawClient.connect(proxy.port("proxied"), false, "127.0.0.2")) {
      assertTrue(c.closedByPeer(), "an untrusted peer may not speak PROXY protocol");
    }
  }

  @Test
  void refusesConnectionWithoutHeader() throws Exception {
    try (RawClient c = RawClient.connect(proxy.port("proxied"), false)) {
      c.out.write(RawClient.upgradeRequest("/headers").getBytes(StandardCharsets.ISO_8859_1));
      c.out.flush();
      assertTrue(c.closedByPeer(), "a PROXY listener needs the header first");
    }
  }

  /** A PROXY v2 header with the LOCAL command: the load balancer's own connection. */
  private static byte[] v2Local() {
    return new byte[] {
      0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A, 0x20, 0x00, 0, 0
    };
  }

  private static double metric(String name, String... labels) {
    return AcceptGateIT.metric(proxy, name, labels);
  }

  /**
   * Sends {@code unfinished}, the start of a PROXY header, and expects the connection closed (and
   * counted) once the handshake timeout has passed, neither before nor long after.
   */
  private static void assertClosedAtTheHeaderTimeout(byte[] unfinished) throws Exception {
    double before = metric("wssguard_connections_refused_total", "reason", "proxy_timeout");
    try (RawClient c = RawClient.connect(proxy.port("proxied"), false)) {
      c.out.write(unfinished);
      c.out.flush();
      long start = System.nanoTime();
      assertTrue(c.closedByPeer(), "closed, not left hanging");
      long tookMillis = (System.nanoTime() - start) / 1_000_000;
      assertTrue(
          tookMillis >= HEADER_TIMEOUT.toMillis() - 200
              && tookMillis < HEADER_TIMEOUT.toMillis() + 3000,
          "closed after " + tookMillis + " ms");
    }
    assertEquals(
        before + 1, metric("wssguard_connections_refused_total", "reason", "proxy_timeout"));
  }

  @Test
  void closesSenderThatNeverFinishesTheHeader_afterTheHandshakeTimeout() throws Exception {
    assertClosedAtTheHeaderTimeout(
        "PROXY TCP4 203.0.113.9 127.0".getBytes(StandardCharsets.US_ASCII));
  }

  @Test
  void answersLocalHealthCheck_withoutTakingTheLoadBalancerForAClient() throws Exception {
    try (RawClient c = RawClient.connect(proxy.port("proxied"), false)) {
      c.out.write(v2Local());
      String head = c.request("GET /healthz HTTP/1.1\r\nHost: lb\r\n\r\n");
      assertEquals(200, RawClient.status(head), head);
    }
  }

  @Test
  void refusesUpgradeOnLocalHeader_neverProxyingItAsTheLoadBalancer() throws Exception {
    String seen = headersSeen("proxied", v2Local(), false);
    assertEquals(403, RawClient.status(seen), seen);
    assertFalse(seen.contains("x-forwarded-for"), seen);
  }

  @Test
  void refusesUpgradeOnUnknownHeader_beforeTls() throws Exception {
    String seen =
        headersSeen("proxied-tls", "PROXY UNKNOWN\r\n".getBytes(StandardCharsets.US_ASCII), true);
    assertEquals(403, RawClient.status(seen), seen);
  }

  @Test
  void closesBannedClientNamedInTheHeader_beforeHttp() throws Exception {
    double before = metric("wssguard_connections_refused_total", "reason", "banned");
    try (RawClient c = RawClient.connect(proxy.port("proxied"), false)) {
      ByteArrayOutputStream b = new ByteArrayOutputStream();
      b.writeBytes(v2(BANNED, 40003, 443));
      b.writeBytes(RawClient.upgradeRequest("/headers").getBytes(StandardCharsets.US_ASCII));
      c.out.write(b.toByteArray());
      c.out.flush();
      int first;
      try {
        first = c.in.read();
      } catch (java.net.SocketException reset) {
        first = -1;
      }
      assertEquals(-1, first, "closed without an HTTP answer");
    }
    assertEquals(before + 1, metric("wssguard_connections_refused_total", "reason", "banned"));
    // The load balancer itself is not banned: the next client through it is served.
    String other = headersSeen("proxied", v2("203.0.113.67", 40004, 443), false);
    assertTrue(other.contains("\"x-forwarded-for\":\"203.0.113.67\""), other);
  }
}
