package io.wssguard.tls;

import static io.wssguard.tls.TestCertificates.KeyType.EC;
import static io.wssguard.tls.TestCertificates.KeyType.RSA;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.wssguard.config.CertificateConfig;
import io.wssguard.config.TlsConfig;
import io.wssguard.config.TlsEngine;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPairGenerator;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ServerTlsErrorsTest {
  @TempDir Path dir;

  private static String failure(Path chain, Path key) {
    TlsConfig config =
        new TlsConfig(
            TlsEngine.BORINGSSL,
            false,
            List.of(new CertificateConfig(chain, key, List.of(), false)),
            List.of());
    return assertThrows(TlsSetupException.class, () -> ServerTls.create(config)).getMessage();
  }

  @Test
  void fails_whenChainFileMissing() throws Exception {
    TestCertificates.Leaf leaf = TestCertificates.ca(EC, "ca").issue(dir, EC, "a.test");
    Path missing = dir.resolve("nope.pem");
    assertEquals(missing + ": certificate chain file not found", failure(missing, leaf.key()));
  }

  @Test
  void fails_whenKeyFileMissing() throws Exception {
    TestCertificates.Leaf leaf = TestCertificates.ca(EC, "ca").issue(dir, EC, "a.test");
    Path missing = dir.resolve("nope.key");
    assertEquals(missing + ": private key file not found", failure(leaf.chain(), missing));
  }

  @Test
  void fails_whenPemUnreadable() throws Exception {
    TestCertificates.Leaf leaf = TestCertificates.ca(EC, "ca").issue(dir, EC, "a.test");
    Path garbage = dir.resolve("garbage.pem");
    Files.writeString(
        garbage, "-----BEGIN CERTIFICATE-----\nnot base64 at all!\n-----END CERTIFICATE-----\n");
    String message = failure(garbage, leaf.key());
    assertTrue(message.startsWith(garbage + ": unreadable PEM certificate chain: "), message);

    Path empty = dir.resolve("empty.pem");
    Files.writeString(empty, "hello\n");
    assertEquals(
        empty + ": no CERTIFICATE block found (expected a PEM certificate chain)",
        failure(empty, leaf.key()));
  }

  @Test
  void fails_whenKeyDoesNotMatchCertificate() throws Exception {
    TestCertificates.Ca ca = TestCertificates.ca(EC, "ca");
    TestCertificates.Leaf a = ca.issue(dir, EC, "a.test");
    TestCertificates.Leaf b = ca.issue(dir, EC, "b.test");
    TestCertificates.Leaf r = ca.issue(dir, RSA, "r.test");
    assertEquals(
        b.key() + ": private key does not match the first certificate in " + a.chain(),
        failure(a.chain(), b.key()));
    assertEquals(
        r.key() + ": RSA key does not match the EC certificate in " + a.chain(),
        failure(a.chain(), r.key()));
  }

  @Test
  void fails_whenKeyTypeUnsupported() throws Exception {
    TestCertificates.Leaf leaf = TestCertificates.ca(EC, "ca").issue(dir, EC, "a.test");
    Path ed = dir.resolve("ed25519.key");
    Files.write(
        ed,
        DevCertificate.pem(
            "PRIVATE KEY",
            KeyPairGenerator.getInstance("Ed25519").generateKeyPair().getPrivate().getEncoded()));
    assertEquals(
        ed + ": unsupported key type EdDSA (expected EC or RSA)", failure(leaf.chain(), ed));
  }

  @Test
  void fails_whenKeyIsNotPkcs8() throws Exception {
    TestCertificates.Leaf leaf = TestCertificates.ca(EC, "ca").issue(dir, EC, "a.test");
    Path cert = leaf.chain();
    String message = failure(cert, cert);
    assertTrue(
        message.startsWith(cert + ": found a CERTIFICATE (expected an unencrypted PKCS#8 key"),
        message);
  }

  @Test
  void fails_whenProtocolNotAllowed() throws Exception {
    TestCertificates.Leaf leaf = TestCertificates.ca(EC, "ca").issue(dir, EC, "a.test");
    TlsConfig config =
        new TlsConfig(
            TlsEngine.JDK,
            false,
            List.of(new CertificateConfig(leaf.chain(), leaf.key(), List.of(), false)),
            List.of("TLSv1.1"));
    assertEquals(
        "tls.protocols: TLSv1.1 (expected a subset of [TLSv1.3, TLSv1.2])",
        assertThrows(TlsSetupException.class, () -> ServerTls.create(config)).getMessage());
  }
}
