package io.wssguard.tls;

import io.wssguard.time.Ticker;
import java.security.KeyManagementException;
import java.security.Provider;
import java.security.SecureRandom;
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
 * The TLS side of one bound listener, swappable without rebinding: Undertow holds {@link
 * #sslContext()} for the life of the socket, and every engine it asks for comes from the {@link
 * ServerTls} in the slot at that moment. A reload puts a new one in with one volatile write; a
 * handshake under way keeps the engine it already has.
 *
 * <p>An old {@link ServerTls} is released by reachability: once no engine it made is open any more
 * and the slot no longer points at it, nothing refers to it. BoringSSL contexts built with {@code
 * SslProvider.OPENSSL} free their native state when collected, so there is no count to keep.
 *
 * <p>The slot also holds the listener's {@link SessionTicketKeys}: every context it serves gets the
 * same keys, so a ticket issued before a reload still resumes after it. The keys rotate at the
 * first handshake after their period ends, on the slot's clock.
 */
public final class TlsSlot {
  private static final Provider PROVIDER =
      new Provider("wssguard-slot", "1", "wssguard reloadable listener TLS") {
        private static final long serialVersionUID = 1L;
      };

  private volatile ServerTls current;
  private final SSLContext context;
  private final Ticker ticker;
  private final SessionTicketKeys tickets;

  /**
   * @param ticker the clock that ticket keys rotate on
   */
  public TlsSlot(ServerTls initial, Ticker ticker) {
    this.ticker = ticker;
    this.tickets = new SessionTicketKeys(ticker.nanos(), initial.ticketKeyRotation());
    initial.useTicketKeys(tickets.keys());
    this.current = initial;
    this.context = new SSLContext(new Spi(this), PROVIDER, "TLS") {};
  }

  /** Give this to Undertow once; it follows {@link #replace}. */
  public SSLContext sslContext() {
    return context;
  }

  /** The TLS in force for new handshakes. */
  public ServerTls current() {
    return current;
  }

  /** New handshakes get engines from {@code next} from now on, with this slot's ticket keys. */
  public synchronized void replace(ServerTls next) {
    tickets.rotate(ticker.nanos(), next.ticketKeyRotation());
    next.useTicketKeys(tickets.keys());
    current = next;
  }

  /** The context for the next engine, its ticket keys rotated first where due. */
  private ServerTls forHandshake() {
    long now = ticker.nanos();
    if (tickets.due(now)) {
      synchronized (this) {
        if (tickets.rotate(now, current.ticketKeyRotation())) {
          current.useTicketKeys(tickets.keys());
        }
      }
    }
    return current;
  }

  private static final class Spi extends SSLContextSpi {
    private final TlsSlot slot;

    Spi(TlsSlot slot) {
      this.slot = slot;
    }

    @Override
    protected void engineInit(KeyManager[] km, TrustManager[] tm, SecureRandom random)
        throws KeyManagementException {
      throw new KeyManagementException("already initialised by io.wssguard.tls");
    }

    @Override
    protected SSLEngine engineCreateSSLEngine() {
      return slot.forHandshake().sslContext().createSSLEngine();
    }

    @Override
    protected SSLEngine engineCreateSSLEngine(String host, int port) {
      return slot.forHandshake().sslContext().createSSLEngine(host, port);
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
      return slot.current.sslContext().getServerSessionContext();
    }

    @Override
    protected SSLSessionContext engineGetClientSessionContext() {
      return slot.current.sslContext().getClientSessionContext();
    }

    @Override
    protected SSLParameters engineGetDefaultSSLParameters() {
      return slot.current.sslContext().getDefaultSSLParameters();
    }

    @Override
    protected SSLParameters engineGetSupportedSSLParameters() {
      return slot.current.sslContext().getSupportedSSLParameters();
    }
  }
}
