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

  /** Counts a new connection; returns the count including it. */
  public int connectionOpened() {
    return connections.incrementAndGet();
  }

  public void connectionClosed() {
    connections.decrementAndGet();
  }
}
