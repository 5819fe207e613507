package io.wssguard.limit;

import io.wssguard.net.Cidr;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One source's part in the fleet's shared budgets ({@code scope: fleet}, docs/FLEET.md): what this
 * node used of them, which the fleet agent publishes, and what the other nodes used, which the
 * agent writes here and the next local take pays.
 *
 * <p>The hot path only adds to counters and reads a volatile: usage is counted where it is taken
 * (an atomic add), and the other nodes' usage waits in {@code owed} counters until the source's
 * next handshake or frame charges it to the shared bucket with the limit's rate in hand. The other
 * nodes' open connections are one volatile {@code int}, read at admission.
 */
public final class SourceFleet {
  /** The three rate budgets, as indexes of the counters. */
  static final int HANDSHAKES = 0;

  static final int MESSAGES = 1;
  static final int BYTES = 2;

  private final SourceState state;
  private final String source;
  private final AtomicLong[] used = {new AtomicLong(), new AtomicLong(), new AtomicLong()};
  private final AtomicLong[] owed = {new AtomicLong(), new AtomicLong(), new AtomicLong()};
  private volatile int remoteConnections;
  private volatile long connectionsMax;
  private volatile long lastUsedNanos;

  /** Connections admitted under a fleet connection budget, oldest first: closers. */
  private final ConcurrentLinkedDeque<Runnable> open = new ConcurrentLinkedDeque<>();

  SourceFleet(SourceState state, InetAddress client, long now) {
    this.state = state;
    this.source = Cidr.of(client, state.key.prefix()).shortText();
    this.lastUsedNanos = now;
  }

  SourceState state() {
    return state;
  }

  // ---- the hot path ----

  /** Takes {@code units} from the shared bucket after charging what the fleet used meanwhile. */
  boolean take(int budget, SharedTokenBucket bucket, Rate rate, long units, long now) {
    AtomicLong fromFleet = owed[budget];
    if (fromFleet.get() != 0) {
      bucket.charge(rate, fromFleet.getAndSet(0), now);
    }
    lastUsedNanos = now;
    if (!bucket.tryTake(rate, units, now)) {
      return false;
    }
    used[budget].addAndGet(units);
    return true;
  }

  /** The other nodes' open connections, as of the last sync. */
  int remoteConnections() {
    return remoteConnections;
  }

  /** A connection was admitted under a fleet budget of {@code max}. */
  void admittedUnder(long max) {
    connectionsMax = max;
  }

  // ---- the fleet agent ----

  /** The source as the fleet names it: {@code 203.0.113.7}, or {@code 2001:db8::/64}. */
  public String source() {
    return source;
  }

  /** Handshakes, messages and payload bytes this node took under fleet budgets, since it began. */
  public long[] used() {
    return new long[] {used[0].get(), used[1].get(), used[2].get()};
  }

  /** Connections the source has open on this node. */
  public int connections() {
    return state.connections();
  }

  /**
   * Connections upgraded here and not being closed for the fleet's budget: what this node reports
   * to the others and may close. Unlike {@link #connections()} it never counts a handshake still
   * being admitted (it may yet be refused) or a connection already told to close (it may take a
   * close handshake to end): another node that read such a passing count would close connections it
   * should keep, and that cannot be undone.
   */
  public int established() {
    return open.size();
  }

  /** Handshakes, messages and bytes the other nodes used since the last sync, to charge here. */
  public void owe(long handshakes, long messages, long bytes) {
    owed[0].addAndGet(handshakes);
    owed[1].addAndGet(messages);
    owed[2].addAndGet(bytes);
  }

  public void remoteConnections(int connections) {
    this.remoteConnections = connections;
  }

  /** The fleet's connection budget the source was last admitted under; 0 if none. */
  public long connectionsMax() {
    return connectionsMax;
  }

  /** When the source last used a fleet budget here ({@link Enforcer#ticker} nanos). */
  public long lastUsedNanos() {
    return lastUsedNanos;
  }

  /**
   * Remembers how to close a connection admitted under the fleet's connection budget; returns the
   * token to pass to {@link #ended}.
   */
  public Runnable opened(Runnable close) {
    open.addLast(close);
    return close;
  }

  public void ended(Runnable close) {
    open.removeLastOccurrence(close);
  }

  /**
   * Closes up to {@code count} connections of this node, newest first, and returns how many it
   * closed: those above the fleet's budget once every node's count is known.
   */
  public int closeNewest(int count) {
    List<Runnable> closing = new ArrayList<>();
    Iterator<Runnable> newestFirst = open.descendingIterator();
    while (closing.size() < count && newestFirst.hasNext()) {
      Runnable c = newestFirst.next();
      newestFirst.remove();
      closing.add(c);
    }
    closing.forEach(Runnable::run);
    return closing.size();
  }
}
