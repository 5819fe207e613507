package io.wssguard.time;

import java.time.Instant;

/** {@link Ticker#system()}. */
enum SystemTicker implements Ticker {
  INSTANCE;

  @Override
  public long nanos() {
    return System.nanoTime();
  }

  @Override
  public Instant instant() {
    return Instant.now();
  }
}
