package io.wssguard.tls;

import io.netty.handler.ssl.ReferenceCountedOpenSslContext;
import io.netty.handler.ssl.SslContext;
import java.lang.reflect.Field;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The one place wssguard reaches under Netty's OpenSSL context: to take away the certificate
 * callback Netty always installs on a BoringSSL server context, once the context holds its
 * certificates as credentials and there is nothing left to choose per handshake.
 *
 * <p>tcnative's {@code SSLContext.setCertificateCallback} wants tcnative's own context handle,
 * which Netty keeps in a protected field and exposes nowhere ({@code sslCtxPointer()} is the raw
 * {@code SSL_CTX}, a different thing: passing it crashes the process). Where the field cannot be
 * read (another Netty version), the callback stays: handshakes stay correct, only dearer.
 */
final class NativeContext {
  private static final Logger LOG = Logger.getLogger(NativeContext.class.getName());
  private static final Field CTX = ctxField();

  private NativeContext() {}

  /**
   * Removes the certificate callback of {@code netty}, which must not have made an engine yet.
   *
   * @return whether it was removed
   */
  static boolean withoutCertificateCallback(SslContext netty) {
    if (CTX == null || !(netty instanceof ReferenceCountedOpenSslContext openSsl)) {
      return false;
    }
    long ctx;
    try {
      ctx = CTX.getLong(openSsl);
    } catch (IllegalAccessException e) {
      return false;
    }
    if (ctx == 0) {
      return false;
    }
    io.netty.internal.tcnative.SSLContext.setCertificateCallback(ctx, null);
    return true;
  }

  private static Field ctxField() {
    try {
      Field f = ReferenceCountedOpenSslContext.class.getDeclaredField("ctx");
      if (f.getType() != long.class) {
        return null;
      }
      f.setAccessible(true);
      return f;
    } catch (NoSuchFieldException | RuntimeException e) {
      LOG.log(
          Level.FINE, "Netty's OpenSSL context handle is out of reach; keeping its callback", e);
      return null;
    }
  }
}
