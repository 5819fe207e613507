package io.wssguard.tls;

import io.netty.handler.ssl.ReferenceCountedOpenSslEngine;
import io.netty.internal.tcnative.SSL;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.function.BiFunction;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSession;

/**
 * Makes Netty's OpenSSL engine behave under Undertow. Two fixes, both measured (see DESIGN.md):
 *
 * <ul>
 *   <li>Undertow calls {@code setEnableSessionCreation(true)} on every engine and Netty's engine
 *       throws {@link UnsupportedOperationException} for it, failing every handshake. {@code true}
 *       is what the engine does anyway, so it is ignored here.
 *   <li>Netty's engine turns only the first buffer of a gathering {@code wrap(ByteBuffer[])} into a
 *       record, so a WebSocket frame header and its payload leave as two TLS records. Here the
 *       sources are first copied into one per-thread direct buffer of one maximum record (16 KiB of
 *       plaintext), the delegate wraps that, and the sources are advanced by what it consumed. The
 *       buffer is allocated once per IO thread; nothing on this path allocates.
 * </ul>
 *
 * Everything else goes straight to the delegate, including the single-buffer {@code wrap}/{@code
 * unwrap} overloads (SSLEngine's defaults would allocate an array per call).
 */
final class GatheringSslEngine extends SSLEngine {
  /** Maximum TLS plaintext record (RFC 8446 section 5.1). */
  static final int MAX_RECORD_PLAINTEXT = 16 * 1024;

  private static final ThreadLocal<ByteBuffer> GATHER =
      ThreadLocal.withInitial(() -> ByteBuffer.allocateDirect(MAX_RECORD_PLAINTEXT));

  private final SSLEngine delegate;

  GatheringSslEngine(SSLEngine delegate, String peerHost, int peerPort) {
    super(peerHost, peerPort);
    this.delegate = delegate;
  }

  @Override
  public SSLEngineResult wrap(ByteBuffer[] srcs, int offset, int length, ByteBuffer dst)
      throws SSLException {
    if (length < 2 || srcs[offset].remaining() >= MAX_RECORD_PLAINTEXT) {
      return delegate.wrap(srcs, offset, length, dst);
    }
    ByteBuffer gather = GATHER.get();
    int filled = 0;
    int end = offset + length;
    for (int i = offset; i < end && filled < MAX_RECORD_PLAINTEXT; i++) {
      ByteBuffer src = srcs[i];
      int n = Math.min(src.remaining(), MAX_RECORD_PLAINTEXT - filled);
      gather.put(filled, src, src.position(), n);
      filled += n;
    }
    if (filled == srcs[offset].remaining()) {
      // Only the first buffer had data: nothing to merge.
      return delegate.wrap(srcs, offset, length, dst);
    }
    gather.limit(filled).position(0);
    SSLEngineResult result;
    try {
      result = delegate.wrap(gather, dst);
    } finally {
      gather.clear();
    }
    int consumed = result.bytesConsumed();
    for (int i = offset; i < end && consumed > 0; i++) {
      ByteBuffer src = srcs[i];
      int n = Math.min(src.remaining(), consumed);
      src.position(src.position() + n);
      consumed -= n;
    }
    return result;
  }

  @Override
  public SSLEngineResult wrap(ByteBuffer src, ByteBuffer dst) throws SSLException {
    return delegate.wrap(src, dst);
  }

  @Override
  public SSLEngineResult wrap(ByteBuffer[] srcs, ByteBuffer dst) throws SSLException {
    return wrap(srcs, 0, srcs.length, dst);
  }

  @Override
  public SSLEngineResult unwrap(ByteBuffer src, ByteBuffer[] dsts, int offset, int length)
      throws SSLException {
    return delegate.unwrap(src, dsts, offset, length);
  }

  @Override
  public SSLEngineResult unwrap(ByteBuffer src, ByteBuffer dst) throws SSLException {
    return delegate.unwrap(src, dst);
  }

  @Override
  public SSLEngineResult unwrap(ByteBuffer src, ByteBuffer[] dsts) throws SSLException {
    return delegate.unwrap(src, dsts);
  }

  /** Whether the finished handshake resumed a session; false once the engine is freed. */
  boolean resumed() {
    if (!(delegate instanceof ReferenceCountedOpenSslEngine openSsl)) {
      return false;
    }
    long ssl = openSsl.sslPointer();
    return ssl != 0 && SSL.isSessionReused(ssl);
  }

  @Override
  public void setEnableSessionCreation(boolean flag) {
    if (!flag) {
      delegate.setEnableSessionCreation(false);
    }
  }

  @Override
  public boolean getEnableSessionCreation() {
    return delegate.getEnableSessionCreation();
  }

  @Override
  public Runnable getDelegatedTask() {
    return delegate.getDelegatedTask();
  }

  @Override
  public void closeInbound() throws SSLException {
    delegate.closeInbound();
  }

  @Override
  public boolean isInboundDone() {
    return delegate.isInboundDone();
  }

  @Override
  public void closeOutbound() {
    delegate.closeOutbound();
  }

  @Override
  public boolean isOutboundDone() {
    return delegate.isOutboundDone();
  }

  @Override
  public String[] getSupportedCipherSuites() {
    return delegate.getSupportedCipherSuites();
  }

  @Override
  public String[] getEnabledCipherSuites() {
    return delegate.getEnabledCipherSuites();
  }

  @Override
  public void setEnabledCipherSuites(String[] suites) {
    delegate.setEnabledCipherSuites(suites);
  }

  @Override
  public String[] getSupportedProtocols() {
    return delegate.getSupportedProtocols();
  }

  @Override
  public String[] getEnabledProtocols() {
    return delegate.getEnabledProtocols();
  }

  @Override
  public void setEnabledProtocols(String[] protocols) {
    delegate.setEnabledProtocols(protocols);
  }

  @Override
  public SSLSession getSession() {
    return delegate.getSession();
  }

  @Override
  public SSLSession getHandshakeSession() {
    return delegate.getHandshakeSession();
  }

  @Override
  public void beginHandshake() throws SSLException {
    delegate.beginHandshake();
  }

  @Override
  public SSLEngineResult.HandshakeStatus getHandshakeStatus() {
    return delegate.getHandshakeStatus();
  }

  @Override
  public void setUseClientMode(boolean mode) {
    delegate.setUseClientMode(mode);
  }

  @Override
  public boolean getUseClientMode() {
    return delegate.getUseClientMode();
  }

  @Override
  public void setNeedClientAuth(boolean need) {
    delegate.setNeedClientAuth(need);
  }

  @Override
  public boolean getNeedClientAuth() {
    return delegate.getNeedClientAuth();
  }

  @Override
  public void setWantClientAuth(boolean want) {
    delegate.setWantClientAuth(want);
  }

  @Override
  public boolean getWantClientAuth() {
    return delegate.getWantClientAuth();
  }

  @Override
  public SSLParameters getSSLParameters() {
    return delegate.getSSLParameters();
  }

  @Override
  public void setSSLParameters(SSLParameters params) {
    delegate.setSSLParameters(params);
  }

  @Override
  public String getApplicationProtocol() {
    return delegate.getApplicationProtocol();
  }

  @Override
  public String getHandshakeApplicationProtocol() {
    return delegate.getHandshakeApplicationProtocol();
  }

  @Override
  public void setHandshakeApplicationProtocolSelector(
      BiFunction<SSLEngine, List<String>, String> selector) {
    delegate.setHandshakeApplicationProtocolSelector(selector);
  }

  @Override
  public BiFunction<SSLEngine, List<String>, String> getHandshakeApplicationProtocolSelector() {
    return delegate.getHandshakeApplicationProtocolSelector();
  }

  @Override
  public String toString() {
    return "GatheringSslEngine[" + delegate + "]";
  }
}
