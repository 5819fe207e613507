package io.wssguard.config;

import java.time.Duration;
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
 * @param sessionTickets whether returning clients may resume with a session ticket (BoringSSL)
 * @param ticketKeyRotation how long one ticket key encrypts new tickets; it decrypts them for one
 *     more such period, then it is gone
 */
public record TlsConfig(
    TlsEngine engine,
    boolean fallbackToJdk,
    List<CertificateConfig> certificates,
    List<String> protocols,
    boolean sessionTickets,
    Duration ticketKeyRotation) {

  public static final Duration DEFAULT_TICKET_KEY_ROTATION = Duration.ofHours(1);
  public static final Duration MIN_TICKET_KEY_ROTATION = Duration.ofMinutes(1);
  public static final Duration MAX_TICKET_KEY_ROTATION = Duration.ofDays(1);

  public TlsConfig {
    certificates = List.copyOf(certificates);
    protocols = List.copyOf(protocols);
  }

  /** Session tickets on, keys rotated hourly. */
  public TlsConfig(
      TlsEngine engine,
      boolean fallbackToJdk,
      List<CertificateConfig> certificates,
      List<String> protocols) {
    this(engine, fallbackToJdk, certificates, protocols, true, DEFAULT_TICKET_KEY_ROTATION);
  }
}
