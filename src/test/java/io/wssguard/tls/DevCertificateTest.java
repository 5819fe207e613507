package io.wssguard.tls;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.wssguard.config.CertificateConfig;
import io.wssguard.config.TlsConfig;
import io.wssguard.config.TlsEngine;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DevCertificateTest {
  @TempDir Path dir;

  @Test
  void generatesOnce_andNeverOverwrites() throws Exception {
    Path chain = dir.resolve("state/tls/dev.chain.pem");
    Path key = dir.resolve("state/tls/private/dev.key.pem");
    assertTrue(DevCertificate.ensure(chain, key));
    byte[] chainBytes = Files.readAllBytes(chain);
    byte[] keyBytes = Files.readAllBytes(key);

    assertFalse(DevCertificate.ensure(chain, key));
    assertArrayEquals(chainBytes, Files.readAllBytes(chain));
    assertArrayEquals(keyBytes, Files.readAllBytes(key));
  }

  @Test
  void writesKey_withMode0600() throws Exception {
    Path chain = dir.resolve("c.pem");
    Path key = dir.resolve("k.pem");
    DevCertificate.ensure(chain, key);
    assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(key)));
  }

  @Test
  void generatesEcdsaP256_forLocalhost() throws Exception {
    Path chain = dir.resolve("c.pem");
    Path key = dir.resolve("k.pem");
    DevCertificate.ensure(chain, key);
    X509Certificate cert = PemFiles.readChain(chain).get(0);
    assertEquals("CN=wssguard development", cert.getSubjectX500Principal().getName());
    assertEquals("EC", cert.getPublicKey().getAlgorithm());
    assertEquals(
        "[[2, localhost], [7, 127.0.0.1], [7, 0:0:0:0:0:0:0:1]]",
        cert.getSubjectAlternativeNames().toString());
    long days =
        Duration.between(cert.getNotBefore().toInstant(), cert.getNotAfter().toInstant()).toDays();
    assertTrue(days >= 365 && days <= 366, "validity days " + days);
    PemFiles.checkKeyMatches(PemFiles.readPrivateKey(key), cert, key, chain);
  }

  @Test
  void fails_whenOnlyOneFileExists() throws Exception {
    Path chain = dir.resolve("c.pem");
    Path key = dir.resolve("k.pem");
    Files.writeString(key, "keep me");
    TlsSetupException e =
        assertThrows(TlsSetupException.class, () -> DevCertificate.ensure(chain, key));
    assertTrue(
        e.getMessage().startsWith(chain + ": missing while " + key + " exists"), e.getMessage());
    assertEquals("keep me", Files.readString(key));
    assertFalse(Files.exists(chain));

    Files.delete(key);
    Files.writeString(chain, "keep me too");
    e = assertThrows(TlsSetupException.class, () -> DevCertificate.ensure(chain, key));
    assertTrue(
        e.getMessage().startsWith(key + ": missing while " + chain + " exists"), e.getMessage());
  }

  @Test
  void keepsFingerprint_acrossReloads() throws Exception {
    Path chain = dir.resolve("c.pem");
    Path key = dir.resolve("k.pem");
    TlsConfig config =
        new TlsConfig(
            TlsEngine.JDK,
            false,
            List.of(new CertificateConfig(chain, key, List.of(), true)),
            List.of());
    List<String> first = ServerTls.create(config).fingerprints();
    List<String> second = ServerTls.create(config).fingerprints();
    assertEquals(first, second);
    assertTrue(first.get(0).matches("SHA256(:[0-9A-F]{2}){32}"), first.get(0));
  }
}
