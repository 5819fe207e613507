package io.wssguard.tls;

import java.security.KeyManagementException;
import java.security.Provider;
import java.security.SecureRandom;
import java.util.concurrent.atomic.LongAdder;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLContextSpi;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLServerSocketFactory;
import javax.net.ssl.SSLSessionContext;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManager;

/**
 * An {@link SSLContext} that only makes engines, each from a {@link EngineFactory} that already
 * applied wssguard's settings, and counts them. This is what Undertow and the backend dialer are
 * given: it is the one seam where an engine (BoringSSL or JDK) is chosen and configured, whatever
 * the caller does with the context afterwards. Sockets are not offered: wssguard is NIO only.
 */
final class ListenerSslContext extends SSLContext {

  /** Makes one configured engine; {@code host} may be null. */
  @FunctionalInterface
  interface EngineFactory {
    SSLEngine create(String host, int port);
  }

  private static final Provider PROVIDER =
      new Provider("wssguard", "1", "wssguard configured TLS engines") {
        private static final long serialVersionUID = 1L;
      };

  private final Spi spi;

  private ListenerSslContext(Spi spi) {
    super(spi, PROVIDER, "TLS");
    this.spi = spi;
  }

  static ListenerSslContext create(
      EngineFactory engines,
      SSLParameters parameters,
      SSLSessionContext server,
      SSLSessionContext client) {
    return new ListenerSslContext(new Spi(engines, parameters, server, client));
  }

  long enginesCreated() {
    return spi.created.sum();
  }

  private static final class Spi extends SSLContextSpi {
    private final EngineFactory engines;
    private final SSLParameters parameters;
    private final SSLSessionContext serverSessions;
    private final SSLSessionContext clientSessions;
    final LongAdder created = new LongAdder();

    Spi(
        EngineFactory engines,
        SSLParameters parameters,
        SSLSessionContext server,
        SSLSessionContext client) {
      this.engines = engines;
      this.parameters = parameters;
      this.serverSessions = server;
      this.clientSessions = client;
    }

    @Override
    protected void engineInit(KeyManager[] km, TrustManager[] tm, SecureRandom random)
        throws KeyManagementException {
      throw new KeyManagementException("already initialised by io.wssguard.tls");
    }

    @Override
    protected SSLEngine engineCreateSSLEngine() {
      return engineCreateSSLEngine(null, -1);
    }

    @Override
    protected SSLEngine engineCreateSSLEngine(String host, int port) {
      SSLEngine engine = engines.create(host, port);
      created.increment();
      return engine;
    }

    @Override
    protected SSLSocketFactory engineGetSocketFactory() {
      throw new UnsupportedOperationException("wssguard TLS contexts make SSLEngines only");
    }

    @Override
    protected SSLServerSocketFactory engineGetServerSocketFactory() {
      throw new UnsupportedOperationException("wssguard TLS contexts make SSLEngines only");
    }

    @Override
    protected SSLSessionContext engineGetServerSessionContext() {
      return serverSessions;
    }

    @Override
    protected SSLSessionContext engineGetClientSessionContext() {
      return clientSessions;
    }

    // SSLContextSpi's defaults create (and count) a throw-away engine to answer these.
    @Override
    protected SSLParameters engineGetDefaultSSLParameters() {
      return copy(parameters);
    }

    @Override
    protected SSLParameters engineGetSupportedSSLParameters() {
      return copy(parameters);
    }

    private static SSLParameters copy(SSLParameters p) {
      SSLParameters c = new SSLParameters(p.getCipherSuites(), p.getProtocols());
      c.setUseCipherSuitesOrder(p.getUseCipherSuitesOrder());
      c.setEndpointIdentificationAlgorithm(p.getEndpointIdentificationAlgorithm());
      return c;
    }
  }
}
