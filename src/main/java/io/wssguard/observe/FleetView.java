package io.wssguard.observe;

/**
 * What the fleet (docs/FLEET.md) shows of itself: the metrics {@link Metrics#cluster} reads and the
 * {@code fleet} object of the admin API's {@code /status}. Implemented by the fleet package, so
 * this one needs nothing of Redis.
 */
public interface FleetView {
  /** Whether Redis is connected and the fleet's bans were loaded through it. */
  boolean connected();

  long bansPublished();

  long bansReceived();

  long bansRefused();

  long strikesPublished();

  /** Reconciliations of shared budgets and heartbeats completed, and their time in all. */
  long syncs();

  double syncSeconds();

  long syncFailures();

  /** The time since the last completed reconciliation. */
  double syncLagSeconds();

  double syncIntervalSeconds();

  /** The round trip of the last reconciliation's pipelined batch. */
  double redisRttSeconds();

  /** Nodes whose heartbeat is recent, this one included once it has synced. */
  int nodesAlive();

  /** Sources whose {@code scope: fleet} budgets this node shares now. */
  int sharedSources();

  /** Connections closed with 1008 because the fleet held more than a shared maximum. */
  long connectionsClosed();

  /** Counts and heartbeats read from Redis and refused as malformed. */
  long countsRefused();

  /** Writes the {@code fleet} object of {@code /status}. */
  void status(JsonText json);
}
