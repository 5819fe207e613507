package io.wssguard.limit;

import io.wssguard.policy.Cidr;
import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** Bans held in memory only (lost on restart): for tests and for runs without a ban journal. */
public final class MemoryBans implements Bans {
  private final Map<Cidr, Long> untilNanos = new ConcurrentHashMap<>();

  @Override
  public boolean isBanned(InetAddress address) {
    if (untilNanos.isEmpty()) {
      return false;
    }
    long now = System.nanoTime();
    for (Map.Entry<Cidr, Long> e : untilNanos.entrySet()) {
      if (now - e.getValue() < 0 && e.getKey().contains(address)) {
        return true;
      }
    }
    return false;
  }

  @Override
  public void ban(InetAddress address, int prefix, Duration duration, String reason, List<String> history) {
    untilNanos.put(Cidr.of(address, prefix), System.nanoTime() + duration.toNanos());
  }
}
