package io.wssguard.tls;

import static io.wssguard.tls.TestCertificates.KeyType.EC;
import static io.wssguard.tls.TestCertificates.KeyType.RSA;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.undertow.Undertow;
import io.undertow.UndertowOptions;
import io.undertow.util.Headers;
import io.wssguard.config.CertificateConfig;
import io.wssguard.config.TlsConfig;
import io.wssguard.config.TlsEngine;
import io.wssguard.testing.TrustAll;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;
import org.xnio.Options;

/**
 * The TLS contract of a listener, run against each engine behind a real Undertow HTTPS listener and
 * talked to by the JDK's client (or raw bytes where the JDK client refuses to send what is being
 * tested).
 */
@ParameterizedClass
@EnumSource(TlsEngine.class)
class ServerTlsContractTest {
  private static final byte[] BIG = new byte[100 * 1024];

  @TempDir static Path dir;
  static TestCertificates.Leaf defaultLeaf;
  static TestCertificates.Leaf ecLeaf;
  static TestCertificates.Leaf rsaLeaf;

  @Parameter TlsEngine engine;

  ServerTls tls;
  Undertow server;
  int port;
  SSLContext client;

  @BeforeAll
  static void certificates() throws Exception {
    for (int i = 0; i < BIG.length; i++) {
      BIG[i] = (byte) (i * 31 + (i >> 8));
    }
    TestCertificates.Ca ca = TestCertificates.ca(EC, "wssguard test CA");
    defaultLeaf = ca.issue(dir, EC, "default.test");
    ecLeaf = ca.issue(dir, EC, "ec.test", "*.ec-wild.test");
    rsaLeaf = ca.issue(dir, RSA, "rsa.test", "*.rsa-wild.test");
  }

  @BeforeEach
  void start() throws Exception {
    tls =
        ServerTls.create(
            new TlsConfig(
                engine,
                false,
                List.of(
                    new CertificateConfig(defaultLeaf.chain(), defaultLeaf.key(), List.of(), false),
                    new CertificateConfig(
                        ecLeaf.chain(), ecLeaf.key(), List.of("ec.test", "*.ec-wild.test"), false),
                    new CertificateConfig(
                        rsaLeaf.chain(),
                        rsaLeaf.key(),
                        List.of("rsa.test", "*.rsa-wild.test"),
                        false)),
                List.of()));
    server =
        Undertow.builder()
            .setIoThreads(1)
            .setWorkerThreads(2)
            .setServerOption(UndertowOptions.ENABLE_HTTP2, false)
            .setSocketOption(Options.REUSE_ADDRESSES, true)
            .addHttpsListener(0, "127.0.0.1", tls.sslContext())
            .setHandler(
                exchange -> {
                  exchange
                      .getResponseHeaders()
                      .put(Headers.CONTENT_TYPE, "application/octet-stream");
                  if (exchange.getRequestPath().equals("/big")) {
                    exchange.getResponseSender().send(ByteBuffer.wrap(BIG));
                  } else {
                    exchange.getResponseSender().send("ok");
                  }
                })
            .build();
    server.start();
    port = ((InetSocketAddress) server.getListenerInfo().get(0).getAddress()).getPort();
    client = TrustAll.context();
  }

  @AfterEach
  void stop() {
    if (server != null) {
      server.stop();
    }
  }

  private SSLSocket connect(String sni, String[] protocols, String[] suites) throws IOException {
    SSLSocket socket = (SSLSocket) client.getSocketFactory().createSocket("127.0.0.1", port);
    socket.setSoTimeout(10_000);
    SSLParameters p = socket.getSSLParameters();
    if (protocols != null) {
      p.setProtocols(protocols);
    }
    if (suites != null) {
      p.setCipherSuites(suites);
    }
    p.setServerNames(sni == null ? List.of() : List.of(new SNIHostName(sni)));
    socket.setSSLParameters(p);
    socket.startHandshake();
    return socket;
  }

  private X509Certificate served(String sni, String protocol) throws Exception {
    // A fresh client each time: a shared one would resume the previous session and skip certificate
    // selection.
    client = TrustAll.context();
    try (SSLSocket s = connect(sni, new String[] {protocol}, null)) {
      return (X509Certificate) s.getSession().getPeerCertificates()[0];
    }
  }

  @Test
  void handshakes_withTls13() throws IOException {
    try (SSLSocket s = connect(null, new String[] {"TLSv1.3"}, null)) {
      assertEquals("TLSv1.3", s.getSession().getProtocol());
      assertAead(s.getSession().getCipherSuite());
    }
  }

  @Test
  void handshakes_withTls12AeadSuite() throws IOException {
    for (String sni : new String[] {null, "rsa.test"}) {
      try (SSLSocket s = connect(sni, new String[] {"TLSv1.2"}, null)) {
        assertEquals("TLSv1.2", s.getSession().getProtocol());
        assertAead(s.getSession().getCipherSuite());
        assertTrue(
            s.getSession().getCipherSuite().startsWith("TLS_ECDHE_"),
            s.getSession().getCipherSuite());
      }
    }
  }

  private static void assertAead(String suite) {
    assertTrue(suite.contains("_GCM_") || suite.contains("CHACHA20_POLY1305"), suite);
  }

  @Test
  void refuses_tls11ClientHello() throws IOException {
    // The JDK client will not send TLS 1.1 (jdk.tls.disabledAlgorithms), so this is a raw
    // ClientHello; the control
    // proves the same hello is answered with a ServerHello when it offers TLS 1.2 and AEAD suites.
    assertEquals(
        0x16,
        TestClients.rawClientHello(port, 0x0303, 0xc02b, 0xc02f),
        "control: TLS 1.2 GCM hello");
    assertNotEquals(0x16, TestClients.rawClientHello(port, 0x0302, 0xc009, 0xc013, 0x002f));
  }

  @Test
  void refuses_cbcOnlyTls12Client() throws IOException {
    String[] cbc = {
      "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256",
      "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256",
      "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA",
      "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA",
      "TLS_RSA_WITH_AES_128_CBC_SHA"
    };
    assertThrows(SSLException.class, () -> connect(null, new String[] {"TLSv1.2"}, cbc).close());
    assertEquals(
        0x16,
        TestClients.rawClientHello(port, 0x0303, 0xc02b, 0xc02f),
        "control: TLS 1.2 GCM hello");
    assertNotEquals(0x16, uncheckedHello(0xc009, 0xc013, 0xc023, 0xc027, 0x002f, 0x003c));
  }

  private int uncheckedHello(int... suites) {
    try {
      return TestClients.rawClientHello(port, 0x0303, suites);
    } catch (IOException e) {
      return -1;
    }
  }

  @Test
  void choosesCertificate_bySni() throws Exception {
    for (String protocol : new String[] {"TLSv1.3", "TLSv1.2"}) {
      assertEquals(ecLeaf.certificate(), served("ec.test", protocol), protocol + " ec.test");
      assertEquals("EC", served("ec.test", protocol).getPublicKey().getAlgorithm());
      assertEquals(rsaLeaf.certificate(), served("rsa.test", protocol), protocol + " rsa.test");
      assertEquals("RSA", served("RSA.test", protocol).getPublicKey().getAlgorithm());
      assertEquals(
          rsaLeaf.certificate(), served("a.rsa-wild.test", protocol), protocol + " wildcard");
      assertEquals(
          ecLeaf.certificate(), served("x.ec-wild.test", protocol), protocol + " wildcard");
      assertEquals(
          defaultLeaf.certificate(),
          served("a.b.rsa-wild.test", protocol),
          protocol + " two labels");
      assertEquals(
          defaultLeaf.certificate(), served("unknown.test", protocol), protocol + " unknown");
      assertEquals(defaultLeaf.certificate(), served(null, protocol), protocol + " no SNI");
    }
  }

  @Test
  void servesBodies_intact() throws IOException {
    try (SSLSocket s = connect("ec.test", null, null)) {
      String response = new String(TestClients.get(s, "/small"), StandardCharsets.ISO_8859_1);
      assertTrue(response.startsWith("HTTP/1.1 200 "), response);
      assertTrue(response.endsWith("\r\n\r\nok"), response);
    }
    for (String protocol : new String[] {"TLSv1.3", "TLSv1.2"}) {
      try (SSLSocket s = connect("rsa.test", new String[] {protocol}, null)) {
        byte[] response = TestClients.get(s, "/big");
        String head = new String(response, 0, 200, StandardCharsets.ISO_8859_1);
        assertTrue(head.startsWith("HTTP/1.1 200 "), head);
        int bodyStart = head.indexOf("\r\n\r\n") + 4;
        assertTrue(head.toLowerCase(Locale.ROOT).contains("content-length: " + BIG.length), head);
        assertArrayEquals(BIG, Arrays.copyOfRange(response, bodyStart, response.length), protocol);
      }
    }
  }

  @Test
  void countsEngines_perConnection() throws IOException {
    long before = tls.enginesCreated();
    for (int i = 0; i < 5; i++) {
      try (SSLSocket s = connect(null, null, null)) {
        TestClients.get(s, "/");
      }
    }
    assertEquals(before + 5, tls.enginesCreated());
  }

  @Test
  void describesEngine() {
    assertEquals(engine, tls.engine());
    if (engine == TlsEngine.BORINGSSL) {
      assertTrue(
          tls.engineDescription().startsWith("BoringSSL (netty-tcnative "),
          tls.engineDescription());
    } else {
      assertTrue(tls.engineDescription().startsWith("JDK "), tls.engineDescription());
    }
    assertEquals(3, tls.fingerprints().size());
    assertEquals(PemFiles.fingerprint(rsaLeaf.certificate()), tls.fingerprints().get(2));
  }

  @Test
  void wrapsHeaderAndPayload_intoOneRecord() throws Exception {
    SSLEngine serverEngine = tls.sslContext().createSSLEngine();
    serverEngine.setUseClientMode(false);
    serverEngine.setEnableSessionCreation(true); // what Undertow does
    SSLEngine clientEngine = client.createSSLEngine("localhost", port);
    clientEngine.setUseClientMode(true);
    TestClients.handshake(clientEngine, serverEngine);

    ByteBuffer wire = ByteBuffer.allocate(64 * 1024);
    ByteBuffer plain = ByteBuffer.allocate(64 * 1024);
    // Let the server flush what it owes after the handshake first: BoringSSL sends its TLS 1.3
    // session tickets
    // with the first application data.
    serverEngine.wrap(ByteBuffer.wrap(new byte[] {1}), wire);
    wire.flip();
    while (wire.hasRemaining() && clientEngine.unwrap(wire, plain).bytesConsumed() > 0) {
      // drain
    }
    wire.clear();
    plain.clear();

    ByteBuffer header = ByteBuffer.wrap(new byte[] {(byte) 0x82, 100});
    ByteBuffer payload = ByteBuffer.allocateDirect(100);
    for (int i = 0; i < 100; i++) {
      payload.put(i, (byte) i);
    }
    serverEngine.wrap(new ByteBuffer[] {header, payload}, wire);
    assertEquals(0, header.remaining());
    assertEquals(0, payload.remaining());
    wire.flip();
    assertEquals(1, TestClients.countRecords(wire));
    clientEngine.unwrap(wire, plain);
    plain.flip();
    assertEquals(102, plain.remaining());
    assertEquals((byte) 0x82, plain.get(0));
    assertEquals((byte) 99, plain.get(101));
  }
}
