package io.wssguard.config;

import java.nio.file.Path;
import java.util.List;

/**
 * A certificate chain and its private key, both PEM (key in PKCS#8).
 *
 * @param serverNames SNI host names this certificate answers for ({@code *.example.com} allowed);
 *     empty for the default certificate
 * @param generateIfMissing create a self-signed ECDSA P-256 development certificate at these paths
 *     when neither file exists (never overwrites)
 */
public record CertificateConfig(
    Path chain, Path privateKey, List<String> serverNames, boolean generateIfMissing) {

  public CertificateConfig {
    serverNames = List.copyOf(serverNames);
  }
}
