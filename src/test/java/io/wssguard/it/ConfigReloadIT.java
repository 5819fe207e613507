package io.wssguard.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.wssguard.ban.MemoryBans;
import io.wssguard.config.ConfigParser;
import io.wssguard.config.ProxyConfig;
import io.wssguard.demo.DemoEchoBackend;
import io.wssguard.observe.ReloadOutcome;
import io.wssguard.server.ConfigReloader;
import io.wssguard.server.PolicyReloader;
import io.wssguard.server.ProxyServer;
import io.wssguard.tls.DevCertificate;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A whole-configuration reload under load: open conversations through a TLS listener go on echoing
 * while the certificate is replaced and the route moves to another backend group; new handshakes
 * see the new certificate at once; a broken edit is refused whole and changes nothing.
 */
class ConfigReloadIT {
  private static final int CONVERSATIONS = 50;

  @TempDir Path dir;

  private void config(int backendA, int backendB, String routeTo) throws Exception {
    Files.writeString(
        dir.resolve("wssguard.yaml"),
        """
        listeners:
          - name: public
            bind: 127.0.0.1:0
            tls:
              certificates:
                - chain: server.pem
                  key: server-key.pem
        backends:
          a:
            servers: [ws://127.0.0.1:%d/]
          b:
            servers: [ws://127.0.0.1:%d/]
        routes:
          - path: /
            backend: %s
            policy: off
        """
            .formatted(backendA, backendB, routeTo));
  }

  @Test
  void keepsConversations_andServesNewCertificate_whenWholeConfigReloads() throws Exception {
    InetSocketAddress loopback = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
    try (DemoEchoBackend a = DemoEchoBackend.start(loopback);
        DemoEchoBackend b = DemoEchoBackend.start(loopback)) {
      DevCertificate.ensure(dir.resolve("server.pem"), dir.resolve("server-key.pem"));
      String oldPrint = fingerprint(dir.resolve("server.pem"));
      config(a.address().getPort(), b.address().getPort(), "a");
      ProxyConfig cfg = ConfigParser.parse(dir.resolve("wssguard.yaml"));
      ProxyServer server = ProxyServer.start(cfg, PolicyReloader.load(cfg), new MemoryBans());
      try {
        InetSocketAddress at = server.listener("public").address();
        URI uri = URI.create("wss://127.0.0.1:" + at.getPort() + "/chat");
        List<JdkClient> open = new ArrayList<>();
        for (int i = 0; i < CONVERSATIONS; i++) {
          JdkClient c = JdkClient.connect(uri);
          assertEquals("before " + i, c.sendTextAndAwait("before " + i));
          open.add(c);
        }
        assertEquals(oldPrint, served(at));

        // A new pair in place of the old files, and the route moved to group b.
        DevCertificate.ensure(dir.resolve("next.pem"), dir.resolve("next-key.pem"));
        Files.move(
            dir.resolve("next.pem"),
            dir.resolve("server.pem"),
            StandardCopyOption.REPLACE_EXISTING);
        Files.move(
            dir.resolve("next-key.pem"),
            dir.resolve("server-key.pem"),
            StandardCopyOption.REPLACE_EXISTING);
        String newPrint = fingerprint(dir.resolve("server.pem"));
        assertFalse(newPrint.equals(oldPrint));
        config(a.address().getPort(), b.address().getPort(), "b");

        ConfigReloader reloader = new ConfigReloader(dir.resolve("wssguard.yaml"), server);
        ReloadOutcome applied = reloader.reloadNow("test");
        assertTrue(applied.applied(), String.join("\n", applied.errors()));
        assertEquals("b", server.config().routes().get(0).backend());
        for (int i = 0; i < CONVERSATIONS; i++) {
          assertEquals("after " + i, open.get(i).sendTextAndAwait("after " + i));
        }
        assertEquals(newPrint, served(at));
        assertEquals("new", JdkClient.connect(uri).sendTextAndAwait("new"));

        // A broken edit: the key file is gone. Refused whole; the running configuration stays.
        Files.delete(dir.resolve("server-key.pem"));
        ReloadOutcome refused = reloader.reloadNow("test");
        assertFalse(refused.applied());
        assertEquals(
            List.of(
                dir.resolve("server-key.pem").toAbsolutePath().normalize()
                    + ": private key file not found"),
            refused.errors());
        assertEquals(newPrint, served(at));
        assertEquals("still", open.get(0).sendTextAndAwait("still"));
        assertEquals("again", JdkClient.connect(uri).sendTextAndAwait("again"));
      } finally {
        server.shutdown(Duration.ofSeconds(2));
      }
    }
  }

  /** The SHA-256 of the leaf certificate a fresh TLS handshake presents. */
  private static String served(InetSocketAddress at) throws Exception {
    try (SSLSocket s =
        (SSLSocket) TrustAll.context().getSocketFactory().createSocket("127.0.0.1", at.getPort())) {
      s.startHandshake();
      return sha256(s.getSession().getPeerCertificates()[0].getEncoded());
    }
  }

  private static String fingerprint(Path pem) throws Exception {
    try (InputStream in = Files.newInputStream(pem)) {
      return sha256(CertificateFactory.getInstance("X.509").generateCertificate(in).getEncoded());
    }
  }

  private static String sha256(byte[] der) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(der));
  }
}
