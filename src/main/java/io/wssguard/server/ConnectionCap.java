package io.wssguard.server;

import io.wssguard.config.LimitsConfig;
import java.lang.management.ManagementFactory;
import java.lang.management.OperatingSystemMXBean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The process-wide cap on open client connections ({@code limits.maxConnections}). It protects the
 * heap and the file descriptors: each conversation holds two sockets (client and backend), so the
 * default is half of what the descriptor limit leaves after a reserve for listeners, the journal,
 * the admin listener and the JVM's own files.
 */
final class ConnectionCap {
  /** Descriptors kept back from the derived cap for everything that is not a conversation. */
  static final long FD_RESERVE = 256;

  private final int max;
  private final AtomicInteger open = new AtomicInteger();

  ConnectionCap(int max) {
    if (max < 1) {
      throw new IllegalArgumentException("max: " + max);
    }
    this.max = max;
  }

  /** The configured cap, or the one derived from this process's descriptor limit. */
  static ConnectionCap of(LimitsConfig limits) {
    return new ConnectionCap(
        limits.maxConnections() != LimitsConfig.DERIVED
            ? limits.maxConnections()
            : derived(fileDescriptorLimit()));
  }

  /**
   * {@code (limit - reserve) / 2}; a limit too small for the reserve gets a quarter of itself, and
   * an unknown limit ({@code < 0}) no cap at all.
   */
  static int derived(long fdLimit) {
    if (fdLimit < 0) {
      return Integer.MAX_VALUE;
    }
    long usable = fdLimit > 2 * FD_RESERVE ? fdLimit - FD_RESERVE : fdLimit / 2;
    return (int) Math.max(1, Math.min(Integer.MAX_VALUE, usable / 2));
  }

  /**
   * RLIMIT_NOFILE as the JVM sees it (HotSpot raises the soft limit to the hard one at start), or
   * -1 where the platform does not say.
   */
  static long fileDescriptorLimit() {
    OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
    return os instanceof com.sun.management.UnixOperatingSystemMXBean unix
        ? unix.getMaxFileDescriptorCount()
        : -1;
  }

  /** Takes a place for a new connection; false (nothing taken) when the cap is reached. */
  boolean tryOpen() {
    while (true) {
      int n = open.get();
      if (n >= max) {
        return false;
      }
      if (open.compareAndSet(n, n + 1)) {
        return true;
      }
    }
  }

  /** A connection that took a place has closed. */
  void closed() {
    open.decrementAndGet();
  }

  int open() {
    return open.get();
  }

  int max() {
    return max;
  }
}
