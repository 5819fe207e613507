package io.wssguard.bench;

/**
 * The clock of one target's run, shared by its client loops: when sending starts, when the measured
 * window opens and closes, when to stop. Set by the coordinating thread; read by the loops on every
 * wakeup. All times are {@link System#nanoTime()} values; 0 means "not decided yet".
 */
final class Schedule {
  volatile long sendFrom;
  volatile long measureFrom;
  volatile long measureTo;

  /** From here the loops close their connections and finish, at the latest by {@link #hardStop}. */
  volatile long closeFrom;

  volatile long hardStop;

  boolean sending(long now) {
    long from = sendFrom;
    return from != 0 && now >= from && now < measureTo;
  }

  boolean measuring(long now) {
    long from = measureFrom;
    return from != 0 && now >= from && now < measureTo;
  }

  boolean closing(long now) {
    long from = closeFrom;
    return from != 0 && now >= from;
  }
}
