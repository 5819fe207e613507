package io.wssguard.server;

import io.wssguard.relay.Relay;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/** The relays that are open now, so shutdown can say goodbye to each and wait for them. */
final class RelayRegistry {
  private final Set<Relay> open = ConcurrentHashMap.newKeySet();

  void add(Relay relay) {
    open.add(relay);
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

  /** Sends every open relay's peers 1001 and waits until all have ended or the time is up. */
  boolean drain(String reason, long timeoutMillis) throws InterruptedException {
    open.forEach(r -> r.goAway(reason));
    long deadline = System.currentTimeMillis() + timeoutMillis;
    synchronized (this) {
      while (!open.isEmpty()) {
        long left = deadline - System.currentTimeMillis();
        if (left <= 0) {
          return false;
        }
        wait(left);
      }
    }
    return true;
  }
}
