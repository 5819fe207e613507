package io.wssguard.tls;

import java.io.IOException;
import java.io.OutputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A self-signed development certificate, so a fresh install serves TLS on first start. ECDSA P-256
 * (the cheap handshake), CN "wssguard development", valid for localhost, 127.0.0.1 and ::1 for one
 * year. The key is written first, created with mode 0600 so it is never readable by others, not
 * even briefly; nothing is ever overwritten.
 */
public final class DevCertificate {
  static final String SUBJECT = "CN=wssguard development";
  static final Duration VALIDITY = Duration.ofDays(365);

  private DevCertificate() {}

  /**
   * If neither file exists: writes a self-signed ECDSA P-256 certificate (CN=wssguard development,
   * SAN localhost, 127.0.0.1, ::1; 1 year) and PKCS#8 key as PEM (key file mode 0600, parent dirs
   * created). If both exist: does nothing. If exactly one exists: TlsSetupException. Never
   * overwrites. Returns true when it generated.
   */
  public static boolean ensure(Path chain, Path key) throws TlsSetupException {
    boolean chainExists = Files.exists(chain);
    boolean keyExists = Files.exists(key);
    if (chainExists && keyExists) {
      return false;
    }
    if (chainExists || keyExists) {
      Path present = chainExists ? chain : key;
      Path missing = chainExists ? key : chain;
      throw new TlsSetupException(
          missing
              + ": missing while "
              + present
              + " exists (refusing to generate a development certificate over"
              + " half a pair; restore or remove "
              + present
              + ")");
    }
    KeyPair pair;
    X509Certificate certificate;
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
      generator.initialize(new ECGenParameterSpec("secp256r1"));
      pair = generator.generateKeyPair();
      certificate = selfSign(pair);
    } catch (GeneralSecurityException | OperatorCreationException | IOException e) {
      throw new TlsSetupException(
          chain + ": cannot generate a development certificate: " + e.getMessage(), e);
    }
    write(key, pem("PRIVATE KEY", pair.getPrivate().getEncoded()), true, null);
    byte[] encoded;
    try {
      encoded = certificate.getEncoded();
    } catch (GeneralSecurityException e) {
      throw new TlsSetupException(
          chain + ": cannot encode the development certificate: " + e.getMessage(), e);
    }
    write(chain, pem("CERTIFICATE", encoded), false, key);
    return true;
  }

  private static X509Certificate selfSign(KeyPair pair)
      throws GeneralSecurityException, OperatorCreationException, IOException {
    X500Name subject = new X500Name(SUBJECT);
    Instant now = Instant.now();
    X509v3CertificateBuilder builder =
        new JcaX509v3CertificateBuilder(
            subject,
            new BigInteger(127, new SecureRandom()).add(BigInteger.ONE),
            Date.from(now.minus(Duration.ofHours(1))),
            Date.from(now.plus(VALIDITY)),
            subject,
            pair.getPublic());
    builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
    builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
    builder.addExtension(
        Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth));
    builder.addExtension(
        Extension.subjectAlternativeName,
        false,
        new GeneralNames(
            new GeneralName[] {
              new GeneralName(GeneralName.dNSName, "localhost"),
              new GeneralName(GeneralName.iPAddress, "127.0.0.1"),
              new GeneralName(GeneralName.iPAddress, "::1")
            }));
    return new JcaX509CertificateConverter()
        .getCertificate(
            builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(pair.getPrivate())));
  }

  static byte[] pem(String type, byte[] der) {
    String body = Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der);
    return ("-----BEGIN " + type + "-----\n" + body + "\n-----END " + type + "-----\n")
        .getBytes(StandardCharsets.US_ASCII);
  }

  /**
   * Creates {@code file} (never replaces it); on failure removes {@code undo} as well, so no half
   * pair is left.
   */
  private static void write(Path file, byte[] content, boolean secret, Path undo)
      throws TlsSetupException {
    try {
      Path parent = file.toAbsolutePath().getParent();
      if (parent != null) {
        Files.createDirectories(parent);
      }
      // Asked of the default file system, not the file's store: finding the store needs the mount
      // table, which a
      // chroot may not have.
      boolean posix = file.getFileSystem().supportedFileAttributeViews().contains("posix");
      if (secret && posix) {
        FileAttribute<?> owner =
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"));
        Files.createFile(file, owner);
      } else {
        Files.createFile(file);
      }
      try (OutputStream out =
          Files.newOutputStream(file, StandardOpenOption.WRITE, StandardOpenOption.SYNC)) {
        out.write(content);
      }
    } catch (FileAlreadyExistsException e) {
      if (undo != null) {
        deleteQuietly(undo);
      }
      throw new TlsSetupException(
          file + ": appeared while generating a development certificate; not overwritten");
    } catch (IOException e) {
      deleteQuietly(file);
      if (undo != null) {
        deleteQuietly(undo);
      }
      throw new TlsSetupException(file + ": cannot write development certificate: " + e, e);
    }
  }

  private static void deleteQuietly(Path file) {
    try {
      Files.deleteIfExists(file);
    } catch (IOException ignored) {
      // Best effort: the error being reported is the write that failed.
    }
  }
}
