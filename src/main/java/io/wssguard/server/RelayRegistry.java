package io.wssguard.server;

import io.wssguard.relay.Relay;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The relays one listener's conversations have open now, so that shutdown, or a reload that removes
 * the listener, can say goodbye to each and wait for them.
 */
final class RelayRegistry {
  private final Set<Relay> open = ConcurrentHashMap.newKeySet();

  /** Set once the relays are told to go: a handshake still under way then goes too. */
  private volatile String goingAway;

  void add(Relay relay) {
    open.add(relay);
    String reason = goingAway;
    if (reason != null) {
      relay.goAway(reason); // runs on its IO thread after start(); a second call does nothing
    }
  }

  void remove(Relay relay) {
    synchronized (this) {
      open.remove(relay);
      notifyAll();
    }
  }

  int size() {
    return open.size();
  }

  /** Sends every open relay's peers 1001, and every relay added from now on. */
  void goAway(String reason) {
    goingAway = reason;
    open.forEach(r -> r.goAway(reason));
  }

  /**
   * Waits until every relay has ended or {@code deadlineNanos} ({@link System#nanoTime}) has
   * passed; returns whether all ended.
   */
  boolean awaitEmpty(long deadlineNanos) throws InterruptedException {
    synchronized (this) {
      while (!open.isEmpty()) {
        long left = TimeUnit.NANOSECONDS.toMillis(deadlineNanos - System.nanoTime());
        if (left <= 0) {
          return false;
        }
        wait(left);
      }
    }
    return true;
  }

  /** Sends every open relay's peers 1001 and waits until all have ended or the time is up. */
  boolean drain(String reason, long timeoutMillis) throws InterruptedException {
    goAway(reason);
    return awaitEmpty(System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis));
  }
}
