package io.wssguard.tls;

import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.List;

/**
 * When a configured chain stops being valid: the earliest {@code notAfter} of all its certificates,
 * since an expired intermediate breaks the chain as surely as an expired leaf. Read with the same
 * parser the listeners use, for {@code wssguard check}.
 *
 * @param subject the leaf's subject, to name it in a warning
 */
public record CertificateValidity(Path chain, String subject, Instant notAfter) {

  public static CertificateValidity of(Path chainFile) throws TlsSetupException {
    List<X509Certificate> chain = PemFiles.readChain(chainFile);
    Instant earliest = Instant.MAX;
    for (X509Certificate c : chain) {
      Instant end = c.getNotAfter().toInstant();
      if (end.isBefore(earliest)) {
        earliest = end;
      }
    }
    return new CertificateValidity(
        chainFile, chain.get(0).getSubjectX500Principal().getName(), earliest);
  }
}
