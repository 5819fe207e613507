package io.wssguard.config;

import java.util.List;

/**
 * TLS termination on a listener. Only TLS 1.2 and 1.3 with AEAD ciphers are ever enabled; {@code
 * protocols} may narrow that further.
 *
 * @param engine which TLS implementation terminates connections
 * @param fallbackToJdk whether to use the JDK engine when BoringSSL cannot be loaded (otherwise
 *     start-up fails)
 * @param certificates at least one; the first without server names is the default, others are
 *     chosen by SNI
 * @param protocols a non-empty subset of {@code TLSv1.3}, {@code TLSv1.2}
 */
public record TlsConfig(
    TlsEngine engine,
    boolean fallbackToJdk,
    List<CertificateConfig> certificates,
    List<String> protocols) {

  public TlsConfig {
    certificates = List.copyOf(certificates);
    protocols = List.copyOf(protocols);
  }
}
