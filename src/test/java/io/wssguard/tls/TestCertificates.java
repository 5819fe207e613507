package io.wssguard.tls;

import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * Test PKI: an ECDSA or RSA CA that issues ECDSA or RSA leaves, written as PEM chain + PKCS#8 key
 * files.
 */
final class TestCertificates {
  private static final AtomicLong SERIAL = new AtomicLong(1000);

  enum KeyType {
    EC,
    RSA
  }

  /** A CA: its certificate and key pair. */
  record Ca(X509Certificate certificate, KeyPair keys) {
    Path writePem(Path file) throws Exception {
      Files.write(file, DevCertificate.pem("CERTIFICATE", certificate.getEncoded()));
      return file;
    }

    /**
     * A leaf for {@code dnsNames} (CN = the first), chain leaf then CA written under {@code dir}.
     */
    Leaf issue(Path dir, KeyType type, String... dnsNames) throws Exception {
      KeyPair leafKeys = keyPair(type);
      X509Certificate leaf = sign(this, leafKeys, "CN=" + dnsNames[0], false, dnsNames);
      String base = dnsNames[0].replace("*", "star");
      Path chain = dir.resolve(base + ".chain.pem");
      Path key = dir.resolve(base + ".key.pem");
      byte[] leafPem = DevCertificate.pem("CERTIFICATE", leaf.getEncoded());
      byte[] caPem = DevCertificate.pem("CERTIFICATE", certificate.getEncoded());
      byte[] both = new byte[leafPem.length + caPem.length];
      System.arraycopy(leafPem, 0, both, 0, leafPem.length);
      System.arraycopy(caPem, 0, both, leafPem.length, caPem.length);
      Files.write(chain, both);
      Files.write(key, DevCertificate.pem("PRIVATE KEY", leafKeys.getPrivate().getEncoded()));
      return new Leaf(leaf, leafKeys, chain, key);
    }
  }

  /** An issued leaf and the files it was written to. */
  record Leaf(X509Certificate certificate, KeyPair keys, Path chain, Path key) {}

  private TestCertificates() {}

  static Ca ca(KeyType type, String name) throws Exception {
    KeyPair keys = keyPair(type);
    return new Ca(sign(null, keys, "CN=" + name, true), keys);
  }

  static KeyPair keyPair(KeyType type) throws Exception {
    KeyPairGenerator generator = KeyPairGenerator.getInstance(type.name());
    if (type == KeyType.EC) {
      generator.initialize(new ECGenParameterSpec("secp256r1"));
    } else {
      generator.initialize(2048);
    }
    return generator.generateKeyPair();
  }

  private static X509Certificate sign(
      Ca issuer, KeyPair subjectKeys, String subject, boolean isCa, String... dns)
      throws Exception {
    X500Name subjectName = new X500Name(subject);
    X500Name issuerName =
        issuer == null
            ? subjectName
            : X500Name.getInstance(issuer.certificate().getSubjectX500Principal().getEncoded());
    Instant now = Instant.now();
    X509v3CertificateBuilder builder =
        new JcaX509v3CertificateBuilder(
            issuerName,
            BigInteger.valueOf(SERIAL.incrementAndGet()),
            Date.from(now.minus(Duration.ofHours(1))),
            Date.from(now.plus(Duration.ofDays(2))),
            subjectName,
            subjectKeys.getPublic());
    builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(isCa));
    if (dns.length > 0) {
      List<GeneralName> names = new ArrayList<>();
      for (String d : dns) {
        names.add(new GeneralName(GeneralName.dNSName, d));
      }
      builder.addExtension(
          Extension.subjectAlternativeName,
          false,
          new GeneralNames(names.toArray(new GeneralName[0])));
    }
    KeyPair signer = issuer == null ? subjectKeys : issuer.keys();
    String algorithm =
        "EC".equals(signer.getPrivate().getAlgorithm()) ? "SHA256withECDSA" : "SHA256withRSA";
    return new JcaX509CertificateConverter()
        .getCertificate(
            builder.build(new JcaContentSignerBuilder(algorithm).build(signer.getPrivate())));
  }
}
