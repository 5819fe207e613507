package io.wssguard.limit;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * What wssguard remembers about one source (see {@link SourceKey}): its shared buckets, its open
 * connections and its recent strikes. Looked up once per handshake; each connection keeps the
 * reference.
 */
public final class SourceState {
  final SourceKey key;
  final SharedTokenBucket handshakes;
  final SharedTokenBucket messages;
  final SharedTokenBucket bytes;
  final AtomicInteger connections = new AtomicInteger();
  final StrikeWindow strikes = new StrikeWindow();

  /** Its part in the fleet's budgets; null until a {@code scope: fleet} policy counts it. */
  private volatile SourceFleet fleet;

  SourceState(SourceKey key, long now) {
    this.key = key;
    this.handshakes = new SharedTokenBucket(now);
    this.messages = new SharedTokenBucket(now);
    this.bytes = new SharedTokenBucket(now);
  }

  public SourceKey key() {
    return key;
  }

  public int connections() {
    return connections.get();
  }

  /** The source's strikes within its policy's strike window at {@code now}. */
  public int strikes(long now) {
    return strikes.count(now);
  }

  /** Takes one handshake from the source's handshake bucket. */
  public boolean handshakesTake(Rate rate, long now) {
    return handshakes.tryTake(rate, 1, now);
  }

  /** Takes one handshake under {@code limit}: the fleet's budget when it says so. */
  boolean takeHandshake(Limit limit, long now) {
    return take(limit, SourceFleet.HANDSHAKES, handshakes, 1, now);
  }

  boolean takeMessages(Limit limit, long units, long now) {
    return take(limit, SourceFleet.MESSAGES, messages, units, now);
  }

  boolean takeBytes(Limit limit, long units, long now) {
    return take(limit, SourceFleet.BYTES, bytes, units, now);
  }

  private boolean take(Limit limit, int budget, SharedTokenBucket bucket, long units, long now) {
    SourceFleet f = fleet;
    return (limit.fleet() && f != null)
        ? f.take(budget, bucket, limit.rate(), units, now)
        : bucket.tryTake(limit.rate(), units, now);
  }

  /** The source's part in the fleet's budgets, made on first use; null when the ledger is full. */
  SourceFleet joinFleet(FleetLedger ledger, java.net.InetAddress client, long now) {
    SourceFleet f = fleet;
    if (f == null) {
      synchronized (this) {
        f = fleet;
        if (f == null) {
          f = ledger.join(this, client, now);
          fleet = f;
        }
      }
    }
    return f;
  }

  /** Its part in the fleet's budgets, or null (no fleet, or no {@code scope: fleet} policy). */
  public SourceFleet fleet() {
    return fleet;
  }

  /** The open connections the fleet's other nodes reported for it, when {@code limit} is shared. */
  int remoteConnections(Limit limit) {
    SourceFleet f = fleet;
    return limit.fleet() && f != null ? f.remoteConnections() : 0;
  }

  /** Counts a new connection; returns the count including it. */
  public int connectionOpened() {
    return connections.incrementAndGet();
  }

  public void connectionClosed() {
    connections.decrementAndGet();
  }
}
