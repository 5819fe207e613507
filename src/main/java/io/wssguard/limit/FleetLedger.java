package io.wssguard.limit;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * This node's side of what the fleet shares beyond bans (docs/FLEET.md): the sources using a {@code
 * scope: fleet} budget here ({@link SourceFleet}) and the strikes struck here, both waiting for the
 * fleet agent ({@code io.wssguard.fleet.FleetSync}), which publishes them through Redis and writes
 * back what the other nodes did. Handshakes and frames only ever touch this node's memory: the
 * agent runs on a thread of its own.
 *
 * <p>Bounded: at most {@link #MAX_SOURCES} sources are shared at once (beyond it a new source is
 * counted on this node alone until others go idle) and at most {@link #MAX_STRIKES} strikes wait
 * (beyond it a strike counts here only).
 */
public final class FleetLedger {
  public static final int MAX_SOURCES = 100_000;
  public static final int MAX_STRIKES = 10_000;

  /** A strike struck here, for the fleet's count of the source's strikes. */
  public record Strike(
      Enforcer enforcer, CompiledPolicy policy, SourceState source, InetAddress client) {
    /** The policy whose strike rules count it. */
    public String policyName() {
      return policy.name();
    }

    /** The source as the fleet names it: {@code 203.0.113.7}, or {@code 2001:db8::/64}. */
    public String sourceText() {
      return io.wssguard.net.Cidr.of(client, source.key.prefix()).shortText();
    }

    public int maxStrikes() {
      return policy.strikes.maxStrikes();
    }

    public long windowMillis() {
      return policy.strikes.window().toMillis();
    }

    /**
     * The fleet's count of the source's strikes reached a multiple of the policy's maximum with
     * this node's increment: this node bans the source (unless it is banned already).
     */
    public void reached(long total) {
      enforcer.fleetStrikesReached(this, total);
    }
  }

  private final ConcurrentHashMap<SourceKey, SourceFleet> sources = new ConcurrentHashMap<>();
  private final ConcurrentLinkedQueue<Strike> strikes = new ConcurrentLinkedQueue<>();
  private final AtomicInteger queuedStrikes = new AtomicInteger();
  private volatile Runnable wake = () -> {};
  private volatile Runnable hurry = () -> {};

  /** Whether the fleet agent syncs at its slow pace and a new source would change that. */
  private final AtomicBoolean slow = new AtomicBoolean();

  /** What the fleet agent runs when a strike waits (it sends strikes at once, not at its tick). */
  public void onStrike(Runnable wake) {
    this.wake = wake;
  }

  /**
   * What the fleet agent runs when a source starts sharing while it is {@link #slow}: once per slow
   * period, so a flood of new sources wakes it once, not once per handshake.
   */
  public void onNewSource(Runnable hurry) {
    this.hurry = hurry;
  }

  /** The fleet agent says whether it now wants to hear of a new source ({@link #onNewSource}). */
  public void slow(boolean slow) {
    this.slow.set(slow);
  }

  /** The sharing state of {@code state}, made on its first fleet-scoped handshake; null if full. */
  SourceFleet join(SourceState state, InetAddress client, long now) {
    SourceFleet f = sources.get(state.key);
    if (f != null && f.state() == state) {
      return f;
    }
    if (f == null && sources.size() >= MAX_SOURCES) {
      return null;
    }
    SourceFleet made = new SourceFleet(state, client, now);
    // A source evicted from the table and made again replaces its old state's entry.
    sources.put(state.key, made);
    if (slow.get() && slow.compareAndSet(true, false)) {
      hurry.run();
    }
    return made;
  }

  void struck(Strike strike) {
    if (queuedStrikes.incrementAndGet() > MAX_STRIKES) {
      queuedStrikes.decrementAndGet();
      return;
    }
    strikes.add(strike);
    wake.run();
  }

  // ---- the fleet agent ----

  /** The sources sharing a fleet budget now. */
  public Collection<SourceFleet> sources() {
    return sources.values();
  }

  /** Stops sharing {@code source} (idle: nothing used, nothing open). */
  public void forget(SourceFleet source) {
    sources.remove(source.state().key, source);
  }

  /** The strikes waiting, oldest first; they are the caller's now. */
  public List<Strike> drainStrikes() {
    List<Strike> out = new ArrayList<>();
    Strike s;
    while ((s = strikes.poll()) != null) {
      queuedStrikes.decrementAndGet();
      out.add(s);
    }
    return out;
  }
}
