package io.wssguard.limit;

import java.net.Inet4Address;
import java.net.InetAddress;

/**
 * The states a handshake is counted against: the source's own (its IPv4 address or IPv6 prefix
 * block) and, for IPv6, the wider blocks of the policy ({@code perIp.ipv6Blocks}, by default the
 * /56 and /48), each with its own, larger handshake and connection budgets. Without the wider
 * blocks a host rotating through the /64s of its /48 would have 65,536 times every per-source
 * limit.
 *
 * <p>Made once per handshake (at most three table lookups), kept by the connection, released when
 * it ends. Per-frame limits (messages, bytes) stay on the source's own state only, so nothing here
 * runs per frame.
 */
public final class SourceBlocks {
  private static final SourceState[] NO_BLOCKS = new SourceState[0];

  private final SourceState own;
  private final SourceState[] wider;
  private final CompiledPolicy.BlockLimits[] limits;

  private SourceBlocks(SourceState own, SourceState[] wider, CompiledPolicy.BlockLimits[] limits) {
    this.own = own;
    this.wider = wider;
    this.limits = limits;
  }

  /** Looks up (or makes) the states of {@code client} under {@code p}. */
  public static SourceBlocks lookUp(
      SourceTable table, InetAddress client, CompiledPolicy p, long now) {
    SourceState own = table.get(SourceKey.of(client, p.access.ipv6Prefix()), now);
    FleetLedger ledger = table.fleet();
    if (p.fleet && ledger != null) {
      own.joinFleet(ledger, client, now);
    }
    if (client instanceof Inet4Address || p.ipv6Blocks.length == 0) {
      return new SourceBlocks(own, NO_BLOCKS, p.ipv6Blocks);
    }
    SourceState[] wider = new SourceState[p.ipv6Blocks.length];
    for (int i = 0; i < wider.length; i++) {
      wider[i] = table.get(SourceKey.of(client, p.ipv6Blocks[i].prefix()), now);
    }
    return new SourceBlocks(own, wider, p.ipv6Blocks);
  }

  /** The source's own state: per-frame limits and strikes are counted there. */
  public SourceState own() {
    return own;
  }

  /**
   * Takes one handshake from the source and each wider block; returns the limit that refused it, or
   * null. Blocks already passed keep the handshake taken: a refused attempt still costs.
   */
  public Limit takeHandshake(CompiledPolicy p, long now) {
    if (p.ipHandshakes != null && !own.takeHandshake(p.ipHandshakes, now)) {
      return p.ipHandshakes;
    }
    for (int i = 0; i < wider.length; i++) {
      Limit l = limits[i].handshakes();
      if (l != null && !wider[i].handshakesTake(l.rate(), now)) {
        return l;
      }
    }
    return null;
  }

  /**
   * Counts a new connection on the source and each wider block; when one of them would go over its
   * maximum, counts nothing and returns that limit. Under a fleet connection budget the source's
   * count is this node's plus the other nodes' as of the last sync.
   */
  public Limit openConnection(CompiledPolicy p) {
    int open = own.connectionOpened();
    if (p.ipConnections != null
        && open + own.remoteConnections(p.ipConnections) > p.ipConnections.max()) {
      own.connectionClosed();
      return p.ipConnections;
    }
    SourceFleet f = own.fleet();
    if (f != null && p.ipConnections != null && p.ipConnections.fleet()) {
      f.admittedUnder(p.ipConnections.max());
    }
    for (int i = 0; i < wider.length; i++) {
      Limit l = limits[i].connections();
      int blockOpen = wider[i].connectionOpened();
      if (l != null && blockOpen > l.max()) {
        for (int j = i; j >= 0; j--) {
          wider[j].connectionClosed();
        }
        own.connectionClosed();
        return l;
      }
    }
    return null;
  }

  /** Counts a connection that a limit would have refused (monitor mode lets it in). */
  public void openAnyway() {
    own.connectionOpened();
    for (SourceState s : wider) {
      s.connectionOpened();
    }
  }

  /** The connection has ended: uncounts it everywhere and marks the states recently active. */
  public void close(SourceTable table) {
    own.connectionClosed();
    table.touch(own.key());
    for (SourceState s : wider) {
      s.connectionClosed();
      table.touch(s.key());
    }
  }

  /** How many connections each counted state holds, the source's own first (for tests). */
  int[] connections() {
    int[] counts = new int[1 + wider.length];
    counts[0] = own.connections();
    for (int i = 0; i < wider.length; i++) {
      counts[i + 1] = wider[i].connections();
    }
    return counts;
  }
}
