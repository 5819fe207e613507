package io.wssguard.tls;

import io.wssguard.config.BackendTlsConfig;
import java.net.Socket;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.logging.Logger;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * Client TLS towards {@code wss://} backends, always on the JDK engine (a handful of long-lived
 * connections; the handshake cost that matters is on the listener side). Every engine the context
 * makes is already configured: TLS 1.3/1.2 with AEAD suites, SNI set to the host, and the host name
 * checked against the certificate (endpoint identification {@code HTTPS}, RFC 6125) unless the
 * configuration is insecure.
 */
public final class BackendTls {
  private static final Logger LOG = Logger.getLogger(BackendTls.class.getName());

  private BackendTls() {}

  /**
   * Client-side SSLContext for wss:// backends: trust = the CA PEM file if set, JDK default trust
   * store otherwise, or trust-all when insecure. Engines created via createSSLEngine(host, port)
   * have hostname verification on (endpoint identification "HTTPS") unless insecure, SNI set to
   * host, TLS 1.2/1.3 only.
   */
  public static SSLContext clientContext(BackendTlsConfig config) throws TlsSetupException {
    TrustManager[] trust;
    if (config.insecure()) {
      LOG.warning(
          "!!! backend TLS is INSECURE: any certificate and any host name is accepted from wss:// backends");
      trust = new TrustManager[] {new TrustAll()};
    } else {
      trust = trustManagers(config);
    }
    SSLContext jdk;
    try {
      jdk = SSLContext.getInstance("TLS");
      jdk.init(null, trust, null);
    } catch (GeneralSecurityException e) {
      throw new TlsSetupException(
          "backend TLS: cannot build the client context: " + e.getMessage(), e);
    }
    List<String> supported = List.of(jdk.getSupportedSSLParameters().getCipherSuites());
    String[] suites =
        TlsPolicy.CIPHER_SUITES.stream().filter(supported::contains).toArray(String[]::new);
    String[] protocols = TlsPolicy.PROTOCOLS.toArray(new String[0]);
    SSLParameters template = new SSLParameters(suites, protocols);
    if (!config.insecure()) {
      template.setEndpointIdentificationAlgorithm("HTTPS");
    }
    boolean verify = !config.insecure();
    return ListenerSslContext.create(
        (host, port) -> {
          SSLEngine engine = jdk.createSSLEngine(host, port);
          engine.setUseClientMode(true);
          SSLParameters p = new SSLParameters(suites, protocols);
          if (verify) {
            p.setEndpointIdentificationAlgorithm("HTTPS");
          }
          if (host != null && isHostName(host)) {
            p.setServerNames(List.of(new SNIHostName(host)));
          }
          engine.setSSLParameters(p);
          return engine;
        },
        template,
        null,
        jdk.getClientSessionContext());
  }

  /** SNI carries host names only, never address literals (RFC 6066 section 3). */
  private static boolean isHostName(String host) {
    return !host.isEmpty()
        && host.indexOf(':') < 0
        && !host.chars().allMatch(c -> c == '.' || (c >= '0' && c <= '9'));
  }

  private static TrustManager[] trustManagers(BackendTlsConfig config) throws TlsSetupException {
    try {
      TrustManagerFactory factory =
          TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      if (config.caFile() == null) {
        factory.init((KeyStore) null);
      } else {
        List<X509Certificate> cas = PemFiles.readChain(config.caFile());
        KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
        store.load(null, null);
        for (int i = 0; i < cas.size(); i++) {
          store.setCertificateEntry("ca-" + i, cas.get(i));
        }
        factory.init(store);
      }
      return factory.getTrustManagers();
    } catch (GeneralSecurityException | java.io.IOException e) {
      throw new TlsSetupException(
          (config.caFile() == null ? "JDK default trust store" : config.caFile().toString())
              + ": cannot build trust: "
              + e.getMessage(),
          e);
    }
  }

  /** Accepts everything; only for {@code insecure: true}. */
  static final class TrustAll extends X509ExtendedTrustManager {
    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) {}

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) {}

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {}

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {}

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) {}

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) {}

    @Override
    public X509Certificate[] getAcceptedIssuers() {
      return new X509Certificate[0];
    }
  }
}
