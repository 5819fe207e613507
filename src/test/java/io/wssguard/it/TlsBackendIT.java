package io.wssguard.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.wssguard.config.BackendGroupConfig;
import io.wssguard.config.BackendTlsConfig;
import io.wssguard.config.Balance;
import io.wssguard.tls.DevCertificate;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code wss://} backends are verified by default; a CA file or {@code insecure} changes what is
 * trusted.
 */
class TlsBackendIT {
  @TempDir static Path dir;
  static NodeBackend node;
  static TestProxy proxy;

  @BeforeAll
  static void start() throws Exception {
    Path cert = dir.resolve("backend-cert.pem");
    Path key = dir.resolve("backend-key.pem");
    DevCertificate.ensure(cert, key); // self-signed for localhost: it is its own CA
    node = NodeBackend.start(cert, key);
    String url = "wss://localhost:" + node.port() + "/";
    proxy =
        TestProxy.builder(dir)
            .backendGroup(group("trusted", url, new BackendTlsConfig(cert, false)))
            .backendGroup(group("default", url, BackendTlsConfig.DEFAULT))
            .backendGroup(group("insecure", url, new BackendTlsConfig(null, true)))
            .route("/trusted", "trusted")
            .route("/default", "default")
            .route("/insecure", "insecure")
            .start();
  }

  private static BackendGroupConfig group(String name, String url, BackendTlsConfig tls) {
    return new BackendGroupConfig(
        name,
        List.of(URI.create(url)),
        Balance.ROUND_ROBIN,
        Duration.ofSeconds(2),
        Duration.ofMillis(1),
        2000,
        tls,
        BackendGroupConfig.DEFAULT_RESOLVE_EVERY);
  }

  @AfterAll
  static void stop() throws Exception {
    proxy.close();
    node.close();
  }

  private static int status(String path) throws Exception {
    try (RawClient c = RawClient.connect(proxy.port("boring"), true)) {
      return RawClient.status(c.request(RawClient.upgradeRequest(path)));
    }
  }

  @Test
  void relaysToBackend_signedByConfiguredCa() throws Exception {
    JdkClient c = JdkClient.connect(proxy.wss("/trusted/echo"));
    assertEquals("over tls twice", c.sendTextAndAwait("over tls twice"));
    c.ws.sendClose(1000, "").get();
  }

  @Test
  void relaysWhatTheBackendSendsWithIts101_beyondTheDialersFirstBuffer() throws Exception {
    // 5,000 bytes right behind the 101 (one TLS flight): more than the dialer reads with the head,
    // so the rest waits decrypted or undecrypted in the TLS conduit for the relay.
    JdkClient c = JdkClient.connect(proxy.wss("/trusted/echo?greet=5000"));
    assertEquals("g".repeat(5000), c.awaitText());
    assertEquals("after the greeting", c.sendTextAndAwait("after the greeting"));
    c.ws.sendClose(1000, "").get();
  }

  @Test
  void answers502_whenBackendCertificateIsNotTrusted() throws Exception {
    assertEquals(502, status("/default/echo"));
  }

  @Test
  void acceptsAnyCertificate_whenGroupIsInsecure() throws Exception {
    assertEquals(101, status("/insecure/echo"));
  }
}
