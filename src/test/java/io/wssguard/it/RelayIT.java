package io.wssguard.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.wssguard.config.RouteConfig;
import io.wssguard.demo.DemoEchoBackend;
import io.wssguard.testing.Await;
import java.io.ByteArrayOutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Conversations through the proxy with real clients (the JDK's, and raw sockets for malformed
 * frames) against two real backends: the built-in demo echo server (Undertow) and Node's {@code
 * ws}.
 */
class RelayIT {
  @TempDir static Path certs;
  static NodeBackend node;
  static DemoEchoBackend demo;
  static TestProxy proxy;

  @BeforeAll
  static void start() throws Exception {
    node = NodeBackend.start();
    demo = DemoEchoBackend.start(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
    proxy =
        TestProxy.builder(certs)
            .backend("node", node.url("/"))
            .backend("demo", "ws://127.0.0.1:" + demo.address().getPort() + "/")
            .route("/demo", "demo")
            .route(new RouteConfig(null, "/deflate", "node", true, 1 << 20, "default"))
            .route("/", "node")
            .start();
  }

  @AfterAll
  static void stop() throws Exception {
    proxy.close();
    demo.close();
    node.close();
  }

  private static URI uri(String listener, String path) {
    String scheme = listener.equals("plain") ? "ws" : "wss";
    return URI.create(scheme + "://127.0.0.1:" + proxy.port(listener) + path);
  }

  @ParameterizedTest
  @ValueSource(strings = {"/demo/x", "/echo"})
  void echoesTextAndBinary_throughBothTlsEnginesAndPlain(String path) throws Exception {
    for (String listener : new String[] {"boring", "jdk", "plain"}) {
      JdkClient c = JdkClient.connect(uri(listener, path));
      assertEquals("héllo ✓", c.sendTextAndAwait("héllo ✓"));
      byte[] data = new byte[100_000];
      new Random(1).nextBytes(data);
      assertArrayEquals(data, c.sendBinaryAndAwait(data));
      String big = "x".repeat(1 << 20); // exactly the route's limit
      assertEquals(big, c.sendTextAndAwait(big));
      c.ws.sendClose(1000, "done").get();
      assertEquals(1000, c.awaitClose());
    }
  }

  @ParameterizedTest
  @ValueSource(ints = {500, 5000, 100_000})
  void relaysWhatTheBackendSendsWithIts101(int bytes) throws Exception {
    for (String listener : new String[] {"boring", "plain"}) {
      JdkClient c = JdkClient.connect(uri(listener, "/echo?greet=" + bytes));
      assertEquals("g".repeat(bytes), c.awaitText());
      assertEquals("then echo", c.sendTextAndAwait("then echo"));
      c.ws.sendClose(1000, "").get();
    }
  }

  @Test
  void usesBoringSsl_forConnectionsOnTheBoringSslListener() throws Exception {
    var boring = proxy.server.listener("boring").tls();
    var jdk = proxy.server.listener("jdk").tls();
    assertTrue(boring.engineDescription().contains("BoringSSL"), boring.engineDescription());
    long boringBefore = boring.enginesCreated();
    long jdkBefore = jdk.enginesCreated();
    JdkClient c = JdkClient.connect(uri("boring", "/echo"));
    assertEquals("hi", c.sendTextAndAwait("hi"));
    assertEquals(boringBefore + 1, boring.enginesCreated());
    assertEquals(jdkBefore, jdk.enginesCreated());
    c.ws.sendClose(1000, "").get();
  }

  @Test
  void negotiatesSubprotocol_offeredByClient() throws Exception {
    JdkClient c = JdkClient.connect(uri("boring", "/echo"), "chat.v2", "chat.v1");
    assertEquals("chat.v2", c.ws.getSubprotocol());
    c.ws.sendClose(1000, "").get();
  }

  @Test
  void stripsPermessageDeflate_byDefault() throws Exception {
    try (RawClient c = RawClient.connect(proxy.port("boring"), true)) {
      String head =
          c.request(
              RawClient.upgradeRequest("/deflate-not-allowed")
                  .replace(
                      "\r\n\r\n",
                      "\r\nSec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n\r\n"));
      assertEquals(101, RawClient.status(head));
      assertTrue(!head.toLowerCase(Locale.ROOT).contains("sec-websocket-extensions"), head);
    }
  }

  @Test
  void passesPermessageDeflate_whereRouteAllowsIt() throws Exception {
    try (RawClient c = RawClient.connect(proxy.port("boring"), true)) {
      String head =
          c.request(
              RawClient.upgradeRequest("/deflate")
                  .replace(
                      "\r\n\r\n",
                      "\r\nSec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n\r\n"));
      assertEquals(101, RawClient.status(head));
      assertTrue(
          head.toLowerCase(Locale.ROOT).contains("sec-websocket-extensions: permessage-deflate"),
          head);
    }
  }

  // ---- client violations: the offender gets the code ----

  private static int closeCodeAfter(byte[] frames) throws Exception {
    try (RawClient c = RawClient.connect(proxy.port("boring"), true).upgrade("/echo")) {
      c.send(frames);
      return c.readCloseCode();
    }
  }

  @Test
  void closes1002_whenClientFrameIsUnmasked() throws Exception {
    assertEquals(
        1002, closeCodeAfter(RawClient.frame(0x81, "hi".getBytes(StandardCharsets.UTF_8), false)));
  }

  @Test
  void closes1002_forReservedOpcode() throws Exception {
    assertEquals(1002, closeCodeAfter(RawClient.frame(0x83, new byte[1])));
  }

  @Test
  void closes1002_whenRsvBitSetWithoutExtension() throws Exception {
    assertEquals(
        1002, closeCodeAfter(RawClient.frame(0xC1, "hi".getBytes(StandardCharsets.UTF_8))));
  }

  @Test
  void closes1002_forControlFrameOver125Bytes() throws Exception {
    assertEquals(1002, closeCodeAfter(RawClient.frame(0x89, new byte[126])));
  }

  @Test
  void closes1002_forFragmentedControlFrame() throws Exception {
    assertEquals(1002, closeCodeAfter(RawClient.frame(0x09, new byte[2])));
  }

  @Test
  void closes1002_forContinuationWithoutMessage() throws Exception {
    assertEquals(1002, closeCodeAfter(RawClient.frame(0x80, "x".getBytes(StandardCharsets.UTF_8))));
  }

  @Test
  void closes1002_forNewMessageInsideFragmentedOne() throws Exception {
    byte[] a = RawClient.frame(0x01, "a".getBytes(StandardCharsets.UTF_8));
    byte[] b = RawClient.frame(0x81, "b".getBytes(StandardCharsets.UTF_8));
    assertEquals(1002, closeCodeAfter(concat(a, b)));
  }

  @Test
  void closes1007_forInvalidUtf8InText() throws Exception {
    assertEquals(
        1007,
        closeCodeAfter(RawClient.frame(0x81, new byte[] {'o', 'k', (byte) 0xC0, (byte) 0x80})));
  }

  @Test
  void closes1007_forUtf8SplitBadlyAcrossFragments() throws Exception {
    byte[] a = RawClient.frame(0x01, new byte[] {(byte) 0xE2, (byte) 0x82});
    byte[] b = RawClient.frame(0x80, new byte[] {'x'});
    assertEquals(1007, closeCodeAfter(concat(a, b)));
  }

  @Test
  void closes1002_forInvalidCloseCode() throws Exception {
    assertEquals(1002, closeCodeAfter(RawClient.frame(0x88, RawClient.closePayload(1005, ""))));
  }

  @Test
  void closes1007_forInvalidUtf8InCloseReason() throws Exception {
    byte[] p = {0x03, (byte) 0xE8, (byte) 0xFF};
    assertEquals(1007, closeCodeAfter(RawClient.frame(0x88, p)));
  }

  @Test
  void closes1009_assoonAsHeaderAnnouncesOversizedPayload() throws Exception {
    try (RawClient c = RawClient.connect(proxy.port("boring"), true).upgrade("/echo")) {
      // Header for a 2 MiB binary frame, masked, and no payload at all: the answer must not wait
      // for it.
      c.send(new byte[] {(byte) 0x82, (byte) (0x80 | 127), 0, 0, 0, 0, 0, 0x20, 0, 0, 1, 2, 3, 4});
      assertEquals(1009, c.readCloseCode());
    }
  }

  @Test
  void closes1009_whenFragmentsAddUpPastLimit() throws Exception {
    byte[] part = new byte[600_000];
    assertEquals(
        1009, closeCodeAfter(concat(RawClient.frame(0x02, part), RawClient.frame(0x80, part))));
  }

  /**
   * Regression: bytes held back across reads (a header split by the read boundary) were moved with
   * a stale limit. Over TLS it also shows that a short read can end a wake-up: the conduit calls
   * again for what it still holds.
   */
  @ParameterizedTest
  @ValueSource(strings = {"plain", "boring", "jdk"})
  void relaysManySmallFrames_splitAcrossReadsAtEveryOffset(String listener) throws Exception {
    try (RawClient c =
        RawClient.connect(proxy.port(listener), !listener.equals("plain")).upgrade("/echo")) {
      ByteArrayOutputStream all = new ByteArrayOutputStream();
      for (int i = 0; i < 3000; i++) {
        all.writeBytes(
            RawClient.frame(0x81, ("m" + i + "-".repeat(i % 40)).getBytes(StandardCharsets.UTF_8)));
      }
      c.send(all.toByteArray());
      for (int i = 0; i < 3000; i++) {
        assertEquals("m" + i + "-".repeat(i % 40), c.readFrame().text());
      }
    }
  }

  @Test
  void answersPing_throughBackend_withPong() throws Exception {
    try (RawClient c = RawClient.connect(proxy.port("boring"), true).upgrade("/echo")) {
      c.send(RawClient.frame(0x89, "p".getBytes(StandardCharsets.UTF_8)));
      RawClient.Frame pong = c.readFrame();
      assertEquals(0x8A, pong.first());
      assertEquals("p", pong.text());
    }
  }

  // ---- the backend's side ----

  @Test
  void closes1011ToClient_whenBackendDisappears() throws Exception {
    JdkClient c = JdkClient.connect(uri("boring", "/hangup"));
    c.ws.sendText("go", true).get();
    assertEquals(1011, c.awaitClose());
  }

  @Test
  void closes1014ToClient_whenBackendSendsOversizedMessage() throws Exception {
    JdkClient c = JdkClient.connect(uri("boring", "/big?bytes=2000000"));
    c.ws.sendText("go", true).get();
    assertEquals(1014, c.awaitClose());
  }

  @Test
  void relaysBackendCloseCode() throws Exception {
    JdkClient c = JdkClient.connect(uri("boring", "/close?code=4000"));
    c.ws.sendText("go", true).get();
    assertEquals(4000, c.awaitClose());
  }

  @Test
  void freesRelay_afterCloseHandshake() throws Exception {
    JdkClient c = JdkClient.connect(uri("boring", "/echo"));
    assertEquals("x", c.sendTextAndAwait("x"));
    c.ws.sendClose(1000, "bye").get();
    assertEquals(1000, c.awaitClose());
    Await.until(
        () -> proxy.server.openRelays() == 0,
        Duration.ofSeconds(10),
        () -> proxy.server.openRelays() + " relays still open");
  }

  static byte[] concat(byte[]... parts) {
    int n = 0;
    for (byte[] p : parts) {
      n += p.length;
    }
    byte[] out = new byte[n];
    int o = 0;
    for (byte[] p : parts) {
      System.arraycopy(p, 0, out, o, p.length);
      o += p.length;
    }
    return out;
  }

  @SuppressWarnings("unused")
  private static String utf8(byte[] b) {
    return new String(b, StandardCharsets.UTF_8);
  }
}
