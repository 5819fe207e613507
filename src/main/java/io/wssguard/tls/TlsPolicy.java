package io.wssguard.tls;

import java.util.List;

/**
 * The protocol versions and cipher suites wssguard ever enables, on either engine and on both
 * sides: TLS 1.3 and 1.2 only, AEAD only, forward secrecy only (ECDHE) for TLS 1.2. ECDSA suites
 * first: an ECDSA certificate is the cheaper handshake. Names are the IANA/JDK names; Netty maps
 * them to BoringSSL's.
 */
final class TlsPolicy {
  static final String TLS13 = "TLSv1.3";
  static final String TLS12 = "TLSv1.2";
  static final List<String> PROTOCOLS = List.of(TLS13, TLS12);

  static final List<String> CIPHER_SUITES =
      List.of(
          "TLS_AES_128_GCM_SHA256",
          "TLS_AES_256_GCM_SHA384",
          "TLS_CHACHA20_POLY1305_SHA256",
          "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
          "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
          "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
          "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
          "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
          "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256");

  private TlsPolicy() {}

  /**
   * The configured protocols in configured order, or an error naming the one that is not allowed.
   */
  static String[] protocols(List<String> configured) throws TlsSetupException {
    if (configured.isEmpty()) {
      return PROTOCOLS.toArray(new String[0]);
    }
    for (String p : configured) {
      if (!PROTOCOLS.contains(p)) {
        throw new TlsSetupException(
            "tls.protocols: " + p + " (expected a subset of " + PROTOCOLS + ")");
      }
    }
    return configured.stream().distinct().toArray(String[]::new);
  }
}
