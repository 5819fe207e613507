package io.wssguard.backend;

import java.net.InetSocketAddress;
import java.net.URI;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One backend WebSocket server of a group, with the little state that balancing and passive health
 * need: how many relays it carries now and until when it is considered down.
 */
public final class BackendServer {
  private final URI uri;
  private final InetSocketAddress address;
  private final boolean tls;
  private final AtomicInteger active = new AtomicInteger();
  private volatile long downUntilNanos;

  BackendServer(URI uri) {
    this.uri = uri;
    this.tls = "wss".equalsIgnoreCase(uri.getScheme());
    int port = uri.getPort() > 0 ? uri.getPort() : (tls ? 443 : 80);
    // Unresolved here: resolution happens per connect, so a DNS change reaches new connections.
    this.address = InetSocketAddress.createUnresolved(uri.getHost(), port);
  }

  public URI uri() {
    return uri;
  }

  public boolean tls() {
    return tls;
  }

  /** A freshly resolved address of this server. */
  public InetSocketAddress resolve() {
    return new InetSocketAddress(address.getHostString(), address.getPort());
  }

  public String host() {
    return address.getHostString();
  }

  public int port() {
    return address.getPort();
  }

  public int activeConnections() {
    return active.get();
  }

  void connectionOpened() {
    active.incrementAndGet();
  }

  /** Called once when a relay through this server ends. */
  public void connectionClosed() {
    active.decrementAndGet();
  }

  public boolean isDown(long nowNanos) {
    return nowNanos - downUntilNanos < 0;
  }

  void markDown(long nowNanos, long forNanos) {
    downUntilNanos = nowNanos + forNanos;
  }

  long downUntilNanos() {
    return downUntilNanos;
  }

  @Override
  public String toString() {
    return uri.toString();
  }
}
