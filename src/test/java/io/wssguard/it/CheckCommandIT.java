package io.wssguard.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.wssguard.tls.DevCertificate;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code wssguard check} as a service manager runs it: the packaged jar in its own process, real
 * certificate, key and token files, the exit code and every line it prints.
 */
class CheckCommandIT {
  @TempDir Path dir;

  private JarRun check() throws Exception {
    return JarRun.run(dir, "check", "--config", "wssguard.yaml");
  }

  /** One TLS listener with {@code chain}/{@code key}, one backend, and the admin token file. */
  private void config(String chain, String key) throws Exception {
    config(chain, key, "tokenFile: admin.token");
  }

  /** The same with {@code adminKeys} (besides a bind) in the admin block. */
  private void config(String chain, String key, String adminKeys) throws Exception {
    Files.writeString(
        dir.resolve("wssguard.yaml"),
        """
        listeners:
          - name: public
            bind: 127.0.0.1:0
            tls:
              certificates:
                - chain: %s
                  key: %s
        backends:
          app:
            servers: [ws://127.0.0.1:9000/]
        routes:
          - path: /
            backend: app
        admin:
          bind: 127.0.0.1:0
          %s
        """
            .formatted(chain, key, adminKeys));
  }

  /** A token file as run would leave it: one line, mode 0600. */
  private void token() throws Exception {
    Files.writeString(dir.resolve("admin.token"), "s3cret\n");
    Files.setPosixFilePermissions(
        dir.resolve("admin.token"), PosixFilePermissions.fromString("rw-------"));
  }

  private Path file(String name) {
    return dir.resolve(name).toAbsolutePath().normalize();
  }

  @Test
  void exits0_withOk_forCleanConfig() throws Exception {
    DevCertificate.ensure(dir.resolve("server.pem"), dir.resolve("server-key.pem"));
    token();
    config("server.pem", "server-key.pem");
    JarRun r = check();
    assertEquals(0, r.exit(), r.err());
    assertEquals("", r.err());
    assertEquals(
        file("server.pem")
            + ": certificate CN=wssguard development valid until "
            + r.out().lines().findFirst().orElseThrow().replaceAll(".* valid until ", "")
            + "\nwssguard.yaml: OK (1 listeners, 1 backend groups, 1 routes, 1 policies)\n",
        r.out());
  }

  @Test
  void exits2_namingTheFile_whenCertificateIsMissing() throws Exception {
    token();
    config("missing.pem", "missing-key.pem");
    JarRun r = check();
    assertEquals(2, r.exit(), r.err());
    assertEquals(
        file("missing.pem")
            + ": certificate chain file not found\n"
            + "wssguard.yaml: 1 error(s), nothing would start\n",
        r.err());
  }

  @Test
  void exits2_whenKeyDoesNotMatchItsChain() throws Exception {
    DevCertificate.ensure(dir.resolve("a.pem"), dir.resolve("a-key.pem"));
    DevCertificate.ensure(dir.resolve("b.pem"), dir.resolve("b-key.pem"));
    token();
    config("a.pem", "b-key.pem");
    JarRun r = check();
    assertEquals(2, r.exit(), r.err());
    assertEquals(
        file("b-key.pem")
            + ": private key does not match the first certificate in "
            + file("a.pem")
            + "\nwssguard.yaml: 1 error(s), nothing would start\n",
        r.err());
  }

  @Test
  void exits0_withWarning_whenCertificateHasExpired() throws Exception {
    Instant notAfter = Instant.parse("2024-01-31T12:00:00Z");
    writeSelfSigned("old.pem", "old-key.pem", notAfter);
    token();
    config("old.pem", "old-key.pem");
    JarRun r = check();
    assertEquals(0, r.exit(), r.err());
    assertEquals(
        file("old.pem") + ": warning: certificate CN=expired.test expired 2024-01-31T12:00:00Z\n",
        r.err());
    assertEquals(
        "wssguard.yaml: OK (1 listeners, 1 backend groups, 1 routes, 1 policies, 1 warning(s))\n",
        r.out());
  }

  @Test
  void exits2_whenTheTokenFileItNamesIsMissing() throws Exception {
    DevCertificate.ensure(dir.resolve("server.pem"), dir.resolve("server-key.pem"));
    config("server.pem", "server-key.pem");
    JarRun r = check();
    assertEquals(2, r.exit(), r.err());
    assertEquals(
        file("admin.token")
            + ": admin token file not found (expected: the token you put there, or"
            + " admin.generateToken: true to have one generated at start)\n"
            + "wssguard.yaml: 1 error(s), nothing would start\n",
        r.err());
  }

  @Test
  void exits0_withNote_whenTheDefaultTokenFileIsNotThereYet() throws Exception {
    DevCertificate.ensure(dir.resolve("server.pem"), dir.resolve("server-key.pem"));
    config("server.pem", "server-key.pem", "accessLog: false");
    JarRun r = check();
    assertEquals(0, r.exit(), r.err());
    assertEquals(
        file("state/admin.token")
            + ": note: admin token not there yet; run will generate it (random, mode 0600)\n",
        r.err());
    assertTrue(
        r.out()
            .endsWith(
                "wssguard.yaml: OK (1 listeners, 1 backend groups, 1 routes, 1 policies, 1 warning(s))\n"),
        r.out());
    assertFalse(Files.exists(dir.resolve("state")), "check writes nothing");
  }

  @Test
  void exits0_withNote_whenTheTokenFileItNamesIsToBeGenerated() throws Exception {
    DevCertificate.ensure(dir.resolve("server.pem"), dir.resolve("server-key.pem"));
    // The packaged config's shape: the token in the service's state directory, made at first start.
    config("server.pem", "server-key.pem", "tokenFile: state/admin.token\n  generateToken: true");
    JarRun r = check();
    assertEquals(0, r.exit(), r.err());
    assertEquals(
        file("state/admin.token")
            + ": note: admin token not there yet; run will generate it (random, mode 0600)\n",
        r.err());
    assertFalse(Files.exists(dir.resolve("state")), "check writes nothing");
  }

  @Test
  void exits0_withWarning_whenEveryLocalUserCanReadTheTokenFile() throws Exception {
    DevCertificate.ensure(dir.resolve("server.pem"), dir.resolve("server-key.pem"));
    token();
    Files.setPosixFilePermissions(
        dir.resolve("admin.token"), PosixFilePermissions.fromString("rw-r--r--"));
    config("server.pem", "server-key.pem");
    JarRun r = check();
    assertEquals(0, r.exit(), r.err());
    assertEquals(
        file("admin.token")
            + ": warning: admin token file is readable by every local user (mode rw-r--r--):"
            + " chmod 0600 it\n",
        r.err());
  }

  @Test
  void exits2_whenTheTokenFileIsEmpty_evenIfItWouldBeGenerated() throws Exception {
    DevCertificate.ensure(dir.resolve("server.pem"), dir.resolve("server-key.pem"));
    Files.writeString(dir.resolve("admin.token"), "\n");
    config("server.pem", "server-key.pem", "tokenFile: admin.token\n  generateToken: true");
    JarRun r = check();
    assertEquals(2, r.exit(), r.err());
    assertEquals(
        file("admin.token")
            + ": admin token file is empty\n"
            + "wssguard.yaml: 1 error(s), nothing would start\n",
        r.err());
  }

  /** A self-signed ECDSA certificate valid until {@code notAfter}, PEM chain and PKCS#8 key. */
  private void writeSelfSigned(String chain, String key, Instant notAfter) throws Exception {
    KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
    generator.initialize(new ECGenParameterSpec("secp256r1"));
    KeyPair pair = generator.generateKeyPair();
    X500Name name = new X500Name("CN=expired.test");
    byte[] der =
        new JcaX509v3CertificateBuilder(
                name,
                BigInteger.valueOf(42),
                Date.from(notAfter.minus(Duration.ofDays(90))),
                Date.from(notAfter),
                name,
                pair.getPublic())
            .build(new JcaContentSignerBuilder("SHA256withECDSA").build(pair.getPrivate()))
            .getEncoded();
    Files.writeString(dir.resolve(chain), pem("CERTIFICATE", der));
    Files.writeString(dir.resolve(key), pem("PRIVATE KEY", pair.getPrivate().getEncoded()));
    // As a key should be kept (a world-readable one earns a warning of its own).
    Files.setPosixFilePermissions(dir.resolve(key), PosixFilePermissions.fromString("rw-------"));
  }

  private static String pem(String type, byte[] der) {
    return "-----BEGIN "
        + type
        + "-----\n"
        + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)
        + "\n-----END "
        + type
        + "-----\n";
  }
}
