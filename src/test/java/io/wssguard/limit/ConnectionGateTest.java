package io.wssguard.limit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.wssguard.ban.Ban;
import io.wssguard.ban.BanCap;
import io.wssguard.ban.BanOutcome;
import io.wssguard.ban.Bans;
import io.wssguard.frame.FrameGate;
import io.wssguard.net.Cidr;
import io.wssguard.policy.AccessRules;
import io.wssguard.policy.Action;
import io.wssguard.policy.CountLimit;
import io.wssguard.policy.HandshakeRules;
import io.wssguard.policy.Mode;
import io.wssguard.policy.PerConnectionLimits;
import io.wssguard.policy.PerIpLimits;
import io.wssguard.policy.Policy;
import io.wssguard.policy.RateLimit;
import io.wssguard.policy.StrikeRules;
import java.net.InetAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Every per-frame limit and action, on a replaceable clock. */
class ConnectionGateTest {
  private static final int TEXT = 1;
  private static final int CONTINUATION = 0;
  private static final int PING = 9;
  private static final int CLOSE = 8;
  private static final long SECOND = 1_000_000_000L;

  private final List<String> bans = new ArrayList<>();
  private final Bans recording =
      new Bans() {
        @Override
        public boolean isBanned(InetAddress address) {
          return false;
        }

        @Override
        public BanOutcome ban(
            InetAddress address,
            int prefix,
            Duration duration,
            String reason,
            List<String> history,
            String by) {
          bans.add(address.getHostAddress() + "/" + prefix + " " + history);
          Cidr target = Cidr.of(address, prefix);
          return BanOutcome.of(
              new Ban(target, Instant.now().plus(duration), reason, history, Instant.now(), by),
              false);
        }

        @Override
        public void neverBan(List<Cidr> blocks) {}

        @Override
        public void cap(BanCap cap) {}

        @Override
        public List<Ban> active() {
          return List.of();
        }

        @Override
        public boolean unban(Cidr target) {
          return false;
        }

        @Override
        public long expiredCount() {
          return 0;
        }
      };

  private ConnectionGate gate(
      Mode mode, PerIpLimits ip, PerConnectionLimits conn, StrikeRules strikes) throws Exception {
    CompiledPolicy p =
        new CompiledPolicy(
            new Policy(
                "p", mode, HandshakeRules.NONE, ip, conn, AccessRules.NONE, strikes, "test", 1));
    SourceState source = new SourceState(SourceKey.of(InetAddress.getByName("192.0.2.1"), 64), 0);
    return new ConnectionGate(
        () -> p, source, new Enforcer(recording), InetAddress.getByName("192.0.2.1"), 0);
  }

  private static PerConnectionLimits conn(
      RateLimit messages,
      RateLimit bytes,
      CountLimit maxMessage,
      CountLimit maxFrame,
      CountLimit fragments,
      RateLimit control) {
    return new PerConnectionLimits(messages, bytes, maxMessage, maxFrame, fragments, control);
  }

  @Test
  void closes1008_pastMessageRate_andRefillsWithTime() throws Exception {
    ConnectionGate g =
        gate(
            Mode.ENFORCE,
            PerIpLimits.NONE,
            conn(new RateLimit(10, 10, Action.CLOSE, false), null, null, null, null, null),
            null);
    for (int i = 0; i < 10; i++) {
      assertEquals(FrameGate.PASS, g.onFrame(TEXT, 1, true, 0));
    }
    assertEquals(FrameGate.CLOSE, g.onFrame(TEXT, 1, true, 0));
    assertEquals(1008, g.closeCode());
    assertEquals("perConnection.messages", g.closeReason());
    g.now(SECOND / 10);
    assertEquals(
        FrameGate.PASS, g.onFrame(TEXT, 1, true, 0), "a tenth of a second refills one message");
  }

  @Test
  void countsControlFrames_butNotCloseOrContinuations_asMessages() throws Exception {
    ConnectionGate g =
        gate(
            Mode.ENFORCE,
            PerIpLimits.NONE,
            conn(new RateLimit(2, 2, Action.CLOSE, false), null, null, null, null, null),
            null);
    assertEquals(FrameGate.PASS, g.onFrame(TEXT, 1, true, 0));
    assertEquals(FrameGate.PASS, g.onFrame(CONTINUATION, 1, false, 1));
    assertEquals(FrameGate.PASS, g.onFrame(CLOSE, 2, false, 0));
    assertEquals(FrameGate.PASS, g.onFrame(PING, 0, false, 0));
    assertEquals(FrameGate.CLOSE, g.onFrame(PING, 0, false, 0));
  }

  @Test
  void throttlesBytes_withTheWaitThatRefillsEnough() throws Exception {
    ConnectionGate g =
        gate(
            Mode.ENFORCE,
            PerIpLimits.NONE,
            conn(null, new RateLimit(1000, 1000, Action.THROTTLE, false), null, null, null, null),
            null);
    assertEquals(FrameGate.PASS, g.onFrame(TEXT, 1000, true, 0));
    assertEquals(FrameGate.THROTTLE, g.onFrame(TEXT, 500, true, 0));
    long wait = g.throttleNanos();
    assertTrue(
        Math.abs(wait - SECOND / 2) <= 1000,
        "wait " + wait + " (half a second, less the rounding slack)");
    g.now(wait);
    assertEquals(FrameGate.PASS, g.onFrame(TEXT, 500, true, 0));
  }

  @Test
  void dropsOverRate_withoutSpendingOtherBudgets() throws Exception {
    ConnectionGate g =
        gate(
            Mode.ENFORCE,
            PerIpLimits.NONE,
            conn(
                new RateLimit(100, 100, Action.CLOSE, false),
                new RateLimit(10, 10, Action.DROP, false),
                null,
                null,
                null,
                null),
            null);
    assertEquals(FrameGate.PASS, g.onFrame(TEXT, 10, true, 0));
    for (int i = 0; i < 200; i++) { // dropped frames cost no message budget: never closed
      assertEquals(FrameGate.DROP, g.onFrame(TEXT, 10, true, 0));
    }
  }

  @Test
  void closes1009_forMessageOrFrameOverSize_and1008_forTooManyFragments() throws Exception {
    ConnectionGate g =
        gate(
            Mode.ENFORCE,
            PerIpLimits.NONE,
            conn(null, null, new CountLimit(100, Action.CLOSE, false), null, null, null),
            null);
    assertEquals(FrameGate.PASS, g.onFrame(TEXT, 60, true, 0));
    assertEquals(FrameGate.CLOSE, g.onFrame(CONTINUATION, 41, false, 60));
    assertEquals(1009, g.closeCode());

    ConnectionGate frames =
        gate(
            Mode.ENFORCE,
            PerIpLimits.NONE,
            conn(null, null, null, new CountLimit(50, Action.CLOSE, false), null, null),
            null);
    assertEquals(FrameGate.PASS, frames.onFrame(TEXT, 50, true, 0));
    assertEquals(FrameGate.CLOSE, frames.onFrame(CONTINUATION, 51, false, 50));
    assertEquals(1009, frames.closeCode());

    ConnectionGate fragments =
        gate(
            Mode.ENFORCE,
            PerIpLimits.NONE,
            conn(null, null, null, null, new CountLimit(3, Action.CLOSE, false), null),
            null);
    assertEquals(FrameGate.PASS, fragments.onFrame(TEXT, 1, true, 0));
    assertEquals(FrameGate.PASS, fragments.onFrame(CONTINUATION, 1, false, 1));
    assertEquals(FrameGate.PASS, fragments.onFrame(CONTINUATION, 1, false, 2));
    assertEquals(FrameGate.CLOSE, fragments.onFrame(CONTINUATION, 1, false, 3));
    assertEquals(1008, fragments.closeCode());
  }

  @Test
  void limitsControlFrameRate() throws Exception {
    ConnectionGate g =
        gate(
            Mode.ENFORCE,
            PerIpLimits.NONE,
            conn(null, null, null, null, null, new RateLimit(1, 2, Action.CLOSE, false)),
            null);
    assertEquals(FrameGate.PASS, g.onFrame(PING, 0, false, 0));
    assertEquals(FrameGate.PASS, g.onFrame(PING, 0, false, 0));
    assertEquals(FrameGate.CLOSE, g.onFrame(PING, 0, false, 0));
    assertEquals("perConnection.controlFrames", g.closeReason());
  }

  @Test
  void sharesPerSourceBudgets_acrossConnections() throws Exception {
    CompiledPolicy p =
        new CompiledPolicy(
            new Policy(
                "p",
                Mode.ENFORCE,
                HandshakeRules.NONE,
                new PerIpLimits(null, null, new RateLimit(3, 3, Action.CLOSE, false), null),
                PerConnectionLimits.NONE,
                AccessRules.NONE,
                null,
                "test",
                1));
    InetAddress client = InetAddress.getByName("192.0.2.9");
    SourceState source = new SourceState(SourceKey.of(client, 64), 0);
    ConnectionGate a = new ConnectionGate(() -> p, source, new Enforcer(recording), client, 0);
    ConnectionGate b = new ConnectionGate(() -> p, source, new Enforcer(recording), client, 0);
    assertEquals(FrameGate.PASS, a.onFrame(TEXT, 1, true, 0));
    assertEquals(FrameGate.PASS, b.onFrame(TEXT, 1, true, 0));
    assertEquals(FrameGate.PASS, a.onFrame(TEXT, 1, true, 0));
    assertEquals(FrameGate.CLOSE, b.onFrame(TEXT, 1, true, 0));
    assertEquals("perIp.messages", b.closeReason());
  }

  @Test
  void monitorMode_passesEverything_andNeverBans() throws Exception {
    ConnectionGate g =
        gate(
            Mode.MONITOR,
            PerIpLimits.NONE,
            conn(new RateLimit(1, 1, Action.CLOSE, true), null, null, null, null, null),
            new StrikeRules(1, Duration.ofMinutes(1), Duration.ofMinutes(1)));
    for (int i = 0; i < 10; i++) {
      assertEquals(FrameGate.PASS, g.onFrame(TEXT, 1, true, 0));
    }
    assertEquals(List.of(), bans);
  }

  @Test
  void strikesBan_afterEnoughViolations() throws Exception {
    StrikeRules strikes = new StrikeRules(2, Duration.ofMinutes(1), Duration.ofMinutes(5));
    for (int i = 0; i < 2; i++) {
      ConnectionGate g =
          gate(
              Mode.ENFORCE,
              PerIpLimits.NONE,
              conn(null, null, new CountLimit(5, Action.CLOSE, true), null, null, null),
              strikes);
      assertEquals(FrameGate.CLOSE, g.onFrame(TEXT, 6, true, 0));
    }
    // Each gate above had its own source state: strikes are per source, so no ban yet.
    assertEquals(List.of(), bans);
    CompiledPolicy p =
        new CompiledPolicy(
            new Policy(
                "p",
                Mode.ENFORCE,
                HandshakeRules.NONE,
                PerIpLimits.NONE,
                conn(null, null, new CountLimit(5, Action.CLOSE, true), null, null, null),
                AccessRules.NONE,
                strikes,
                "test",
                1));
    InetAddress client = InetAddress.getByName("192.0.2.7");
    SourceState source = new SourceState(SourceKey.of(client, 64), 0);
    for (int i = 0; i < 2; i++) {
      new ConnectionGate(() -> p, source, new Enforcer(recording), client, 0)
          .onFrame(TEXT, 6, true, 0);
    }
    assertEquals(
        List.of("192.0.2.7/32 [perConnection.maxMessageBytes, perConnection.maxMessageBytes]"),
        bans);
  }
}
