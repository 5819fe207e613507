package io.wssguard.limit;

import io.wssguard.frame.CloseCodes;
import io.wssguard.policy.AccessRules;
import io.wssguard.policy.AnomalyRule;
import io.wssguard.policy.HandshakeRules;
import io.wssguard.policy.Mode;
import io.wssguard.policy.PerConnectionLimits;
import io.wssguard.policy.PerIpLimits;
import io.wssguard.policy.Policy;
import io.wssguard.policy.StrikeRules;
import java.util.List;
import java.util.regex.Pattern;

/**
 * A validated {@link Policy} flattened for enforcement: every limit compiled once into a {@link
 * Limit} (null when absent), so a per-frame check is a few field reads and arithmetic.
 */
public final class CompiledPolicy {
  public final Policy source;
  public final boolean monitor;
  public final HandshakeRules handshake;

  /**
   * {@link HandshakeRules#paths()} compiled once: {@code *} within one segment, {@code **} across
   * segments.
   */
  public final List<Pattern> pathPatterns;

  public final AccessRules access;
  public final StrikeRules strikes;
  public final Limit ipHandshakes;
  public final Limit ipConnections;
  public final Limit ipMessages;
  public final Limit ipBytes;
  public final Limit messages;
  public final Limit bytes;
  public final Limit maxMessageBytes;
  public final Limit maxFrameBytes;
  public final Limit maxFragments;
  public final Limit controlFrames;

  /** The policy's {@code anomaly:} rules, evaluated off the IO threads (anomaly.AnomalyWatch). */
  public final List<AnomalyRule> anomalies;

  final long strikeWindowNanos;

  /** Whether any per-IP budget is the fleet's ({@code scope: fleet}). */
  public final boolean fleet;

  /**
   * The wider IPv6 blocks counted at admission, narrowest first, with their handshake and
   * connection budgets (a factor of the source's own; null where the source has no such limit).
   */
  final BlockLimits[] ipv6Blocks;

  /** One wider IPv6 block's budgets. */
  record BlockLimits(int prefix, Limit handshakes, Limit connections) {}

  public CompiledPolicy(Policy p) {
    source = p;
    monitor = p.mode() == Mode.MONITOR;
    handshake = p.handshake() == null ? HandshakeRules.NONE : p.handshake();
    pathPatterns = handshake.paths().stream().map(CompiledPolicy::globToRegex).toList();
    access = p.access() == null ? AccessRules.NONE : p.access();
    strikes = p.strikes();
    strikeWindowNanos = strikes == null ? 0 : strikes.window().toNanos();
    PerIpLimits ip = p.perIp() == null ? PerIpLimits.NONE : p.perIp();
    ipHandshakes = Limit.of("perIp.handshakes", ip.handshakes(), ip.fleet("handshakes"));
    ipConnections =
        Limit.of(
            "perIp.connections",
            ip.connections(),
            CloseCodes.POLICY_VIOLATION,
            ip.fleet("connections"));
    ipMessages = Limit.of("perIp.messages", ip.messages(), ip.fleet("messages"));
    ipBytes = Limit.of("perIp.bytes", ip.bytes(), ip.fleet("bytes"));
    fleet = !ip.fleet().isEmpty();
    ipv6Blocks =
        ip.ipv6Blocks().stream()
            .filter(b -> b.prefix() < access.ipv6Prefix())
            .map(b -> blockLimits(b, ipHandshakes, ipConnections))
            .toArray(BlockLimits[]::new);
    PerConnectionLimits c =
        p.perConnection() == null ? PerConnectionLimits.NONE : p.perConnection();
    messages = Limit.of("perConnection.messages", c.messages());
    bytes = Limit.of("perConnection.bytes", c.bytes());
    maxMessageBytes =
        Limit.of("perConnection.maxMessageBytes", c.maxMessageBytes(), CloseCodes.MESSAGE_TOO_BIG);
    maxFrameBytes =
        Limit.of("perConnection.maxFrameBytes", c.maxFrameBytes(), CloseCodes.MESSAGE_TOO_BIG);
    maxFragments =
        Limit.of("perConnection.maxFragments", c.maxFragments(), CloseCodes.POLICY_VIOLATION);
    controlFrames = Limit.of("perConnection.controlFrames", c.controlFrames());
    anomalies = p.anomalies();
  }

  private static BlockLimits blockLimits(
      PerIpLimits.Ipv6Block b, Limit handshakes, Limit connections) {
    String name = "perIp.ipv6Blocks." + b.prefix() + ".";
    Limit hs =
        handshakes == null
            ? null
            : new Limit(
                name + "handshakes",
                Rate.of(
                    1e9 / handshakes.rate().nanosPerUnit() * b.factor(),
                    handshakes.rate().burst() * b.factor()),
                0,
                handshakes.action(),
                handshakes.strike(),
                handshakes.closeCode(),
                false);
    Limit conns =
        connections == null
            ? null
            : new Limit(
                name + "connections",
                null,
                connections.max() * b.factor(),
                connections.action(),
                connections.strike(),
                connections.closeCode(),
                false);
    return new BlockLimits(b.prefix(), hs, conns);
  }

  /** A path glob as a regular expression; everything but {@code *} and {@code **} is literal. */
  static Pattern globToRegex(String glob) {
    StringBuilder re = new StringBuilder();
    for (int i = 0; i < glob.length(); i++) {
      char c = glob.charAt(i);
      if (c == '*') {
        if (i + 1 < glob.length() && glob.charAt(i + 1) == '*') {
          re.append(".*");
          i++;
        } else {
          re.append("[^/]*");
        }
      } else {
        re.append(Pattern.quote(String.valueOf(c)));
      }
    }
    return Pattern.compile(re.toString());
  }

  public String name() {
    return source.name();
  }
}
