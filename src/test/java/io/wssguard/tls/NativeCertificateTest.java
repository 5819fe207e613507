package io.wssguard.tls;

import static io.wssguard.tls.TestCertificates.KeyType.EC;
import static io.wssguard.tls.TestCertificates.KeyType.RSA;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.wssguard.config.CertificateConfig;
import io.wssguard.config.TlsConfig;
import io.wssguard.config.TlsEngine;
import io.wssguard.testing.TrustAll;
import java.nio.file.Path;
import java.util.List;
import javax.net.ssl.SSLEngine;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A BoringSSL listener whose certificate does not depend on SNI is served by BoringSSL without a
 * call back into Java (the per-handshake saving measured in BENCHMARKS.md), and still serves the
 * right certificate over TLS 1.3 and 1.2; one where SNI decides keeps the callback.
 */
class NativeCertificateTest {
  @TempDir static Path dir;
  static TestCertificates.Leaf ecLeaf;
  static TestCertificates.Leaf rsaLeaf;

  @BeforeAll
  static void certificates() throws Exception {
    TestCertificates.Ca ca = TestCertificates.ca(EC, "wssguard test CA");
    ecLeaf = ca.issue(dir, EC, "ec.test");
    rsaLeaf = ca.issue(dir, RSA, "rsa.test");
  }

  private static ServerTls boring(CertificateConfig... certificates) throws TlsSetupException {
    return ServerTls.create(
        new TlsConfig(TlsEngine.BORINGSSL, false, List.of(certificates), List.of()));
  }

  private static CertificateConfig cert(TestCertificates.Leaf leaf, String... names) {
    return new CertificateConfig(leaf.chain(), leaf.key(), List.of(names), false);
  }

  @Test
  void oneCertificate_isChosenNatively_andServedOverBothProtocols() throws Exception {
    for (TestCertificates.Leaf leaf : List.of(ecLeaf, rsaLeaf)) {
      ServerTls tls = boring(cert(leaf));
      assertTrue(tls.certificateChosenNatively());
      for (String protocol : new String[] {"TLSv1.3", "TLSv1.2"}) {
        assertEquals(leaf.certificate(), served(tls, protocol), protocol);
      }
    }
  }

  @Test
  void oneCertificate_withServerNames_isStillChosenNatively() throws Exception {
    ServerTls tls = boring(cert(ecLeaf, "ec.test"));
    assertTrue(tls.certificateChosenNatively());
    assertEquals(ecLeaf.certificate(), served(tls, "TLSv1.3"));
  }

  @Test
  void certificatesChosenBySni_keepTheCallback() throws Exception {
    ServerTls tls = boring(cert(ecLeaf), cert(rsaLeaf, "rsa.test"));
    assertFalse(tls.certificateChosenNatively());
    assertEquals(ecLeaf.certificate(), served(tls, "TLSv1.3"));
  }

  private static Object served(ServerTls tls, String protocol) throws Exception {
    SSLEngine server = tls.sslContext().createSSLEngine();
    server.setUseClientMode(false);
    SSLEngine client = TrustAll.context().createSSLEngine("localhost", 443);
    client.setUseClientMode(true);
    client.setEnabledProtocols(new String[] {protocol});
    TestClients.handshake(client, server);
    assertEquals(protocol, client.getSession().getProtocol());
    return client.getSession().getPeerCertificates()[0];
  }
}
