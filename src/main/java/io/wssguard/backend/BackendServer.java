package io.wssguard.backend;

import io.wssguard.net.Cidr;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One backend WebSocket server of a group, with the little state that balancing and passive health
 * need: how many relays it carries now, until when it is considered down, and its address.
 *
 * <p>An IP literal is its own address. A host name is looked up by {@link #lookUp}, which blocks
 * and so runs off the IO threads ({@link BackendDialer} hands it to the worker's task threads); the
 * dialer only ever reads the cached answer, and asks for a new lookup when the answer is older than
 * the group's {@code resolveEvery} or a connect failed.
 */
public final class BackendServer {
  /** A bad answer to one client's upgrade is logged at most this often per server. */
  static final long LOG_EVERY_NANOS = TimeUnit.SECONDS.toNanos(5);

  /** Turns a host name into an address; blocking. */
  interface HostLookup {
    InetAddress lookUp(String host) throws UnknownHostException;
  }

  private final URI uri;
  private final String host;
  private final int port;
  private final boolean tls;
  private final HostLookup lookup;
  private final AtomicInteger active = new AtomicInteger();
  private volatile long downUntilNanos;
  private volatile InetSocketAddress address;
  private volatile long resolvedAtNanos;
  private volatile boolean stale = true;
  private final AtomicBoolean lookingUp = new AtomicBoolean();
  private final AtomicLong nextLogNanos = new AtomicLong(System.nanoTime());

  BackendServer(URI uri) {
    this(uri, InetAddress::getByName);
  }

  BackendServer(URI uri, HostLookup lookup) {
    this.uri = uri;
    this.tls = "wss".equalsIgnoreCase(uri.getScheme());
    this.port = uri.getPort() > 0 ? uri.getPort() : (tls ? 443 : 80);
    String h = uri.getHost();
    this.host = h.startsWith("[") && h.endsWith("]") ? h.substring(1, h.length() - 1) : h;
    this.lookup = lookup;
    InetAddress literal = literal(host);
    if (literal != null) {
      this.address = new InetSocketAddress(literal, port);
      this.stale = false;
    }
  }

  private static InetAddress literal(String host) {
    try {
      return Cidr.parse(host).network();
    } catch (IllegalArgumentException notALiteral) {
      return null;
    }
  }

  public URI uri() {
    return uri;
  }

  public boolean tls() {
    return tls;
  }

  /**
   * The last looked-up address (resolved, never looked up here), or {@code null} before the first
   * lookup of a host name has answered.
   */
  public InetSocketAddress address() {
    return address;
  }

  /**
   * Whether a lookup should start: the host is a name, none is running, and there is no answer yet,
   * the answer is older than {@code maxAgeNanos}, or a connect failed since. Claims the lookup when
   * it returns true.
   */
  boolean claimLookup(long nowNanos, long maxAgeNanos) {
    boolean due = stale || nowNanos - resolvedAtNanos >= maxAgeNanos;
    return due && literal(host) == null && lookingUp.compareAndSet(false, true);
  }

  /**
   * Looks the host name up (blocking) after {@link #claimLookup} returned true. A failed lookup
   * keeps the previous address: a DNS hiccup should not take a working server away.
   */
  void lookUp(long nowNanos) {
    try {
      address = new InetSocketAddress(lookup.lookUp(host), port);
      stale = false;
    } catch (UnknownHostException | RuntimeException e) {
      stale = true;
    } finally {
      resolvedAtNanos = nowNanos;
      lookingUp.set(false);
    }
  }

  /** A connect failed: look the name up again before the next dial. */
  void addressSuspect() {
    stale = true;
  }

  public String host() {
    return host;
  }

  public int port() {
    return port;
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

  /**
   * Whether a line about a bad answer may be logged now; at most one per {@link #LOG_EVERY_NANOS}.
   */
  boolean logDue(long nowNanos) {
    long next = nextLogNanos.get();
    return nowNanos - next >= 0 && nextLogNanos.compareAndSet(next, nowNanos + LOG_EVERY_NANOS);
  }

  @Override
  public String toString() {
    return uri.toString();
  }
}
