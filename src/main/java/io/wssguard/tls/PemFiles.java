package io.wssguard.tls;

import com.sun.security.auth.module.UnixSystem;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.CertificateEncodingException;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.openssl.PEMException;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;

/**
 * Reads PEM certificate chains and unencrypted PKCS#8 private keys with BouncyCastle's parser but
 * the JDK's own providers (no BouncyCastle provider is registered), and checks that a key belongs
 * to its certificate. Every failure is a {@link TlsSetupException} that starts with the file.
 */
final class PemFiles {
  private PemFiles() {}

  /** The certificates of a chain file, leaf first, as written. */
  static List<X509Certificate> readChain(Path file) throws TlsSetupException {
    List<X509Certificate> chain = new ArrayList<>();
    JcaX509CertificateConverter converter = new JcaX509CertificateConverter();
    try (Reader reader = Files.newBufferedReader(file, StandardCharsets.US_ASCII);
        PEMParser parser = new PEMParser(reader)) {
      for (Object o = parser.readObject(); o != null; o = parser.readObject()) {
        if (!(o instanceof X509CertificateHolder holder)) {
          throw new TlsSetupException(
              file
                  + ": unexpected "
                  + describe(o)
                  + " in certificate chain (expected only CERTIFICATE blocks)");
        }
        chain.add(converter.getCertificate(holder));
      }
    } catch (NoSuchFileException e) {
      throw new TlsSetupException(file + ": certificate chain file not found");
    } catch (CertificateException | IOException | RuntimeException e) {
      throw new TlsSetupException(
          file + ": unreadable PEM certificate chain: " + e.getMessage(), e);
    }
    if (chain.isEmpty()) {
      throw new TlsSetupException(
          file + ": no CERTIFICATE block found (expected a PEM certificate chain)");
    }
    return chain;
  }

  /** An unencrypted PKCS#8 EC or RSA private key, the only block of the file. */
  static PrivateKey readPrivateKey(Path file) throws TlsSetupException {
    Object o;
    try (Reader reader = Files.newBufferedReader(file, StandardCharsets.US_ASCII);
        PEMParser parser = new PEMParser(reader)) {
      o = parser.readObject();
    } catch (NoSuchFileException e) {
      throw new TlsSetupException(file + ": private key file not found");
    } catch (IOException | RuntimeException e) {
      throw new TlsSetupException(file + ": unreadable PEM private key: " + e.getMessage(), e);
    }
    if (!(o instanceof PrivateKeyInfo info)) {
      throw new TlsSetupException(
          file
              + ": found "
              + describe(o)
              + " (expected an unencrypted PKCS#8 key, BEGIN PRIVATE KEY; convert with"
              + " 'openssl pkcs8 -topk8 -nocrypt')");
    }
    PrivateKey key;
    try {
      key = new JcaPEMKeyConverter().getPrivateKey(info);
    } catch (PEMException | RuntimeException e) {
      throw new TlsSetupException(file + ": unsupported private key: " + e.getMessage(), e);
    }
    if (!"EC".equals(key.getAlgorithm()) && !"RSA".equals(key.getAlgorithm())) {
      throw new TlsSetupException(
          file + ": unsupported key type " + key.getAlgorithm() + " (expected EC or RSA)");
    }
    return key;
  }

  /**
   * Why the private key file {@code file} is readable by more than it should be, or empty. The
   * rule: readable by others (world) is always reported; readable by its group only when that group
   * is not this process's own group. The packages install keys {@code root:wssguard 0640}, where
   * the group is the service's own and exists so that the service (and not root's other users) can
   * read them; any other group means other accounts can read the key.
   */
  static Optional<String> keyExposure(Path file) {
    int mode;
    int gid;
    try {
      mode = (Integer) Files.getAttribute(file, "unix:mode");
      gid = (Integer) Files.getAttribute(file, "unix:gid");
    } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
      return Optional.empty(); // no POSIX modes to judge (or the read fails later, with a message)
    }
    String octal = String.format("%04o", mode & 07777);
    if ((mode & 0004) != 0) {
      return Optional.of(
          file
              + ": private key file is world-readable (mode "
              + octal
              + "); chmod o-r "
              + file
              + " (the packaged layout is root:wssguard 0640)");
    }
    long ownGid = new UnixSystem().getGid();
    if ((mode & 0040) != 0 && gid != ownGid) {
      return Optional.of(
          file
              + ": private key file is readable by group "
              + gid
              + ", which is not this process's group "
              + ownGid
              + " (mode "
              + octal
              + "); chgrp it to the service's group or chmod g-r "
              + file);
    }
    return Optional.empty();
  }

  /** Fails unless {@code key} signs what the public key of {@code leaf} verifies. */
  static void checkKeyMatches(PrivateKey key, X509Certificate leaf, Path keyFile, Path chainFile)
      throws TlsSetupException {
    String certType = leaf.getPublicKey().getAlgorithm();
    if (!certType.equals(key.getAlgorithm())) {
      throw new TlsSetupException(
          keyFile
              + ": "
              + key.getAlgorithm()
              + " key does not match the "
              + certType
              + " certificate in "
              + chainFile);
    }
    try {
      String algorithm = "EC".equals(certType) ? "SHA256withECDSA" : "SHA256withRSA";
      byte[] probe = new byte[32];
      new SecureRandom().nextBytes(probe);
      Signature signer = Signature.getInstance(algorithm);
      signer.initSign(key);
      signer.update(probe);
      byte[] signature = signer.sign();
      Signature verifier = Signature.getInstance(algorithm);
      verifier.initVerify(leaf.getPublicKey());
      verifier.update(probe);
      if (!verifier.verify(signature)) {
        throw new TlsSetupException(
            keyFile + ": private key does not match the first certificate in " + chainFile);
      }
    } catch (GeneralSecurityException e) {
      throw new TlsSetupException(
          keyFile + ": private key cannot be checked against " + chainFile + ": " + e.getMessage(),
          e);
    }
  }

  /** {@code SHA256:AB:CD:...} of the DER encoding. */
  static String fingerprint(X509Certificate certificate) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(certificate.getEncoded());
      return "SHA256:" + HexFormat.ofDelimiter(":").withUpperCase().formatHex(digest);
    } catch (NoSuchAlgorithmException | CertificateEncodingException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String describe(Object pemObject) {
    if (pemObject == null) {
      return "no PEM block";
    }
    String name = pemObject.getClass().getSimpleName();
    return switch (name) {
      case "PEMKeyPair" -> "a traditional (PKCS#1/SEC1) key";
      case "PKCS8EncryptedPrivateKeyInfo", "PEMEncryptedKeyPair" -> "an encrypted key";
      case "X509CertificateHolder" -> "a CERTIFICATE";
      case "SubjectPublicKeyInfo" -> "a PUBLIC KEY";
      default -> "a " + name;
    };
  }
}
