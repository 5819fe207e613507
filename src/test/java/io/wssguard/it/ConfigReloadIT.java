package io.wssguard.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.wssguard.ban.MemoryBans;
import io.wssguard.cli.Main;
import io.wssguard.config.ConfigParser;
import io.wssguard.config.ProxyConfig;
import io.wssguard.config.TlsEngine;
import io.wssguard.policy.PolicyParser;
import io.wssguard.server.ConfigReloader;
import io.wssguard.server.ProxyServer;
import io.wssguard.testing.FreePort;
import io.wssguard.testing.TrustAll;
import io.wssguard.tls.DevCertificate;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
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
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import picocli.CommandLine;

/**
 * The zero-downtime reload, end to end, with each TLS engine: 200 conversations open through a TLS
 * listener while the certificate and key files are replaced, the route moves to another backend
 * group and a policy is tightened; {@code wssguard reload} reports the reload applied, every open
 * conversation goes on echoing through its old backend, and new handshakes see the new certificate,
 * the new backend and the new policy. Then a broken edit: {@code wssguard reload} exits 1 with the
 * error, and the proxy serves as before.
 */
class ConfigReloadIT {
  private static final int CONVERSATIONS = 200;

  @TempDir Path dir;

  private Path file() {
    return dir.resolve("wssguard.yaml");
  }

  /** One TLS listener, backends a and b, one route to {@code routeTo}; the admin token default. */
  private void config(TlsEngine engine, String a, String b, String routeTo, int adminPort)
      throws Exception {
    Files.writeString(
        file(),
        """
        listeners:
          - name: public
            bind: 127.0.0.1:0
            tls:
              engine: %s
              certificates:
                - chain: server.pem
                  key: server-key.pem
        backends:
          a:
            servers: [%s]
          b:
            servers: [%s]
        routes:
          - path: /
            backend: %s
            policy: guard
        policies:
          dir: policies
        admin:
          bind: 127.0.0.1:%d
        """
            .formatted(engine.name().toLowerCase(Locale.ROOT), a, b, routeTo, adminPort));
  }

  private void policy(String maxMessageBytes) throws Exception {
    Files.createDirectories(dir.resolve("policies"));
    Files.writeString(
        dir.resolve("policies/guard.yaml"),
        """
        policies:
          guard:
            perConnection:
              maxMessageBytes: {max: %s, action: close}
        """
            .formatted(maxMessageBytes));
  }

  /** {@code wssguard reload --config FILE}, through the command line's own entry point. */
  private CliRun wssguardReload() {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cli = new CommandLine(new Main());
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    int exit = cli.execute("reload", "--config", file().toString());
    return new CliRun(exit, out.toString(), err.toString());
  }

  private record CliRun(int exit, String out, String err) {}

  @ParameterizedTest
  @EnumSource(TlsEngine.class)
  void keepsConversations_andServesNewCertificateBackendAndPolicy_whenWssguardReloadApplies(
      TlsEngine engine) throws Exception {
    try (TaggedEchoBackend a = TaggedEchoBackend.start("a");
        TaggedEchoBackend b = TaggedEchoBackend.start("b")) {
      DevCertificate.ensure(dir.resolve("server.pem"), dir.resolve("server-key.pem"));
      String oldPrint = fingerprint(dir.resolve("server.pem"));
      int adminPort = FreePort.next();
      config(engine, a.url(), b.url(), "a", adminPort);
      policy("64KiB");
      ProxyConfig cfg = ConfigParser.parse(file());
      ProxyServer server = ProxyServer.start(cfg, PolicyParser.forConfig(cfg), new MemoryBans());
      server.observability().reloads(new ConfigReloader(file(), server));
      try {
        InetSocketAddress at = server.listener("public").address();
        URI uri = URI.create("wss://127.0.0.1:" + at.getPort() + "/chat");
        List<JdkClient> open = new ArrayList<>();
        for (int i = 0; i < CONVERSATIONS; i++) {
          JdkClient c = JdkClient.connect(uri);
          assertEquals("a:before " + i, c.sendTextAndAwait("before " + i));
          open.add(c);
        }
        assertEquals(oldPrint, served(at));

        // A new pair in place of the old files, the route moved to b, messages limited to 1 KiB.
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
        assertNotEquals(oldPrint, newPrint);
        config(engine, a.url(), b.url(), "b", adminPort);
        policy("1KiB");

        CliRun applied = wssguardReload();
        assertEquals(0, applied.exit(), applied.err());
        assertTrue(
            applied.out().startsWith("reload applied: " + file() + " (127.0.0.1:" + adminPort),
            applied.out());
        for (int i = 0; i < CONVERSATIONS; i++) {
          assertEquals("a:after " + i, open.get(i).sendTextAndAwait("after " + i));
        }
        assertEquals(newPrint, served(at));
        assertEquals("b:new", JdkClient.connect(uri).sendTextAndAwait("new"));
        JdkClient limited = JdkClient.connect(uri);
        limited.ws.sendText("x".repeat(2000), true).get(10, TimeUnit.SECONDS);
        assertEquals(1009, limited.awaitClose(), "the tightened policy");

        // A broken edit: the key file is gone. Refused whole; the running configuration stays.
        Files.delete(dir.resolve("server-key.pem"));
        CliRun refused = wssguardReload();
        assertEquals(1, refused.exit(), refused.out() + refused.err());
        assertEquals(
            dir.resolve("server-key.pem").toAbsolutePath().normalize()
                + ": private key file not found\n"
                + "reload refused: 1 error, the running configuration stays\n",
            refused.err());
        assertEquals(newPrint, served(at));
        assertEquals("a:still", open.get(0).sendTextAndAwait("still"));
        assertEquals("b:again", JdkClient.connect(uri).sendTextAndAwait("again"));
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
