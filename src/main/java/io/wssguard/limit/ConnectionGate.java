package io.wssguard.limit;

import io.wssguard.frame.CloseCodes;
import io.wssguard.frame.FrameGate;
import io.wssguard.policy.Action;
import io.wssguard.time.Ticker;
import java.net.InetAddress;

/**
 * A connection's policy, asked by its client-to-backend {@link io.wssguard.frame.FrameInspector} on
 * every frame.
 *
 * <p>Per-connection buckets live here as plain fields (one thread owns the connection); per-source
 * buckets are the shared ones of {@link SourceState}. A check reads the route's current policy (one
 * volatile read), then does bucket arithmetic: per-connection states are computed first and
 * committed only when every limit passed, so a throttled or dropped frame costs nothing from
 * budgets it did not use. The enforcer's clock is read once per socket read by the relay ({@link
 * #tick()}), not per frame.
 */
public final class ConnectionGate implements FrameGate {
  private static final int OP_CLOSE = 0x8;
  private static final long REPORT_INTERVAL_NANOS = 1_000_000_000L;

  private final PolicyView policy;
  private final SourceState source;
  private final Enforcer enforcer;
  private final InetAddress client;
  private final Ticker ticker;
  // The connection's own buckets: the theoretical arrival time of each (see Rate), as plain fields
  // of this object so a
  // check touches no other object of the connection's.
  private long messagesTat;
  private long bytesTat;
  private long controlTat;
  private long now;
  private int fragments;
  private long throttleNanos;
  private Limit refused;
  private long lastReportNanos;
  private boolean reported;

  public ConnectionGate(
      PolicyView policy, SourceState source, Enforcer enforcer, InetAddress client, long now) {
    this.policy = policy;
    this.source = source;
    this.enforcer = enforcer;
    this.client = client;
    this.ticker = enforcer.ticker();
    this.now = now;
    this.messagesTat = now;
    this.bytesTat = now;
    this.controlTat = now;
  }

  /** Reads the enforcer's {@link Ticker} for the checks that follow (the relay, once per read). */
  public void tick() {
    this.now = ticker.nanos();
  }

  /** The time for the checks that follow. */
  void now(long nanos) {
    this.now = nanos;
  }

  @Override
  public int onFrame(
      int opcode, long payloadLength, boolean startsMessage, long messageBytesBefore) {
    CompiledPolicy p = policy.current();
    boolean isControl = (opcode & 0x8) != 0;
    if (!isControl) {
      fragments = startsMessage ? 1 : fragments + 1;
      if (p.maxFrameBytes != null && payloadLength > p.maxFrameBytes.max()) {
        return exceeded(p, p.maxFrameBytes, 0);
      }
      if (p.maxMessageBytes != null
          && messageBytesBefore + payloadLength > p.maxMessageBytes.max()) {
        return exceeded(p, p.maxMessageBytes, 0);
      }
      if (p.maxFragments != null && fragments > p.maxFragments.max()) {
        return exceeded(p, p.maxFragments, 0);
      }
    }
    boolean countsAsMessage = startsMessage || (isControl && opcode != OP_CLOSE);
    long nextMessages = 0;
    if (countsAsMessage && p.messages != null) {
      nextMessages = p.messages.rate().take(messagesTat, 1, now);
      if (nextMessages == Long.MIN_VALUE) {
        return exceeded(p, p.messages, p.messages.rate().waitNanos(messagesTat, 1, now));
      }
    }
    long nextControl = 0;
    if (isControl && opcode != OP_CLOSE && p.controlFrames != null) {
      nextControl = p.controlFrames.rate().take(controlTat, 1, now);
      if (nextControl == Long.MIN_VALUE) {
        return exceeded(p, p.controlFrames, p.controlFrames.rate().waitNanos(controlTat, 1, now));
      }
    }
    long nextBytes = 0;
    if (payloadLength > 0 && p.bytes != null) {
      nextBytes = p.bytes.rate().take(bytesTat, payloadLength, now);
      if (nextBytes == Long.MIN_VALUE) {
        return exceeded(p, p.bytes, p.bytes.rate().waitNanos(bytesTat, payloadLength, now));
      }
    }
    if (countsAsMessage && p.ipMessages != null && !source.takeMessages(p.ipMessages, 1, now)) {
      return exceeded(p, p.ipMessages, source.messages.waitNanos(p.ipMessages.rate(), 1, now));
    }
    if (payloadLength > 0
        && p.ipBytes != null
        && !source.takeBytes(p.ipBytes, payloadLength, now)) {
      return exceeded(p, p.ipBytes, source.bytes.waitNanos(p.ipBytes.rate(), payloadLength, now));
    }
    if (nextMessages != 0) {
      messagesTat = nextMessages;
    }
    if (nextControl != 0) {
      controlTat = nextControl;
    }
    if (nextBytes != 0) {
      bytesTat = nextBytes;
    }
    return PASS;
  }

  private int exceeded(CompiledPolicy p, Limit limit, long waitNanos) {
    // Rare path, logging may allocate. A connection that keeps hitting a limit it is not closed for
    // (drop, throttle,
    // monitor) is reported, and struck, at most once a second.
    if (limit.action() == Action.CLOSE
        || !reported
        || now - lastReportNanos >= REPORT_INTERVAL_NANOS) {
      reported = true;
      lastReportNanos = now;
      enforcer.exceeded(source, p, client, limit, "");
    }
    refused = limit;
    if (p.monitor) {
      return PASS;
    }
    Action action = limit.action();
    if (action == Action.THROTTLE) {
      throttleNanos = waitNanos;
      return THROTTLE;
    }
    if (action == Action.DROP) {
      return DROP;
    }
    return CLOSE;
  }

  /**
   * The client broke RFC 6455 and the proxy closed the connection with {@code code}: a strike under
   * {@code protocol.<code>} when the policy's strikes count protocol violations (1002, 1007; other
   * codes are limits, not breaches of the protocol). Not in monitor mode, which never bans.
   */
  public void protocolViolation(int code) {
    CompiledPolicy p = policy.current();
    if ((code == CloseCodes.PROTOCOL_ERROR || code == CloseCodes.INVALID_PAYLOAD)
        && p.strikes != null
        && p.strikes.protocolViolations()
        && !p.monitor) {
      enforcer.strike(source, p, client, "protocol." + code);
    }
  }

  /** The limit behind the last verdict other than PASS (for replay's report); null before one. */
  public Limit exceeded() {
    return refused;
  }

  @Override
  public long throttleNanos() {
    return throttleNanos;
  }

  @Override
  public int closeCode() {
    return refused.closeCode();
  }

  @Override
  public String closeReason() {
    return refused.reason();
  }
}
