package io.wssguard.tls;

import java.security.KeyStore;
import java.security.Provider;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.KeyManagerFactorySpi;
import javax.net.ssl.ManagerFactoryParameters;
import javax.net.ssl.X509ExtendedKeyManager;

/**
 * A KeyManagerFactory that always returns one ready key manager: Netty's builder takes a factory,
 * not a manager.
 */
final class FixedKeyManagerFactory extends KeyManagerFactory {
  private static final Provider PROVIDER =
      new Provider("wssguard-keys", "1", "wssguard fixed key manager") {
        private static final long serialVersionUID = 1L;
      };

  private FixedKeyManagerFactory(KeyManagerFactorySpi spi) {
    super(spi, PROVIDER, "wssguard");
  }

  static KeyManagerFactory of(X509ExtendedKeyManager keyManager) {
    return new FixedKeyManagerFactory(
        new KeyManagerFactorySpi() {
          @Override
          protected void engineInit(KeyStore ks, char[] password) {}

          @Override
          protected void engineInit(ManagerFactoryParameters spec) {}

          @Override
          protected KeyManager[] engineGetKeyManagers() {
            return new KeyManager[] {keyManager};
          }
        });
  }
}
