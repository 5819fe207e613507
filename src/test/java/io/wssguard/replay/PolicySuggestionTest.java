package io.wssguard.replay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.wssguard.limit.CompiledPolicy;
import io.wssguard.policy.Policy;
import io.wssguard.policy.PolicyParser;
import io.wssguard.traffic.SyntheticRecording;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PolicySuggestionTest {
  @TempDir Path dir;
  private Path traffic;

  /**
   * Ten seconds of 18 calm sources at 3 to 8 messages/s (three of each rate) of 100 to 350 bytes,
   * and 2 abusive ones (10% of the sources) at 150/s of 60,000 bytes, all on route {@code /chat}.
   */
  @BeforeEach
  void record() throws Exception {
    traffic = dir.resolve("traffic");
    SyntheticRecording r = new SyntheticRecording();
    for (int i = 0; i < 18; i++) {
      r.client("10.0.0." + (10 + i), "/chat", 3 + i % 6, 100 + 50 * (i % 6));
    }
    r.client("10.0.1.50", "/chat", 150, 60_000).client("10.0.1.51", "/chat", 150, 60_000);
    r.write(traffic, 10);
  }

  private String suggest(double margin) throws Exception {
    return PolicySuggestion.yaml(
        RecordedBaseline.learn(traffic, null), "suggested", margin, "traffic/");
  }

  private Policy parse(String yaml) throws Exception {
    Path file = Files.writeString(dir.resolve("suggested.yaml"), yaml);
    return PolicyParser.parseFiles(List.of(file)).policies().get("suggested");
  }

  @Test
  void suggestion_isThePolicyFileWithEachFigureItCameFrom() throws Exception {
    assertEquals(
        """
        # Suggested by wssguard policy suggest from the recording in traffic/ (1 route: /chat):
        #   20 connections from 20 sources, 7980 records in 1 file.
        # Each limit sits at a margin above what the typical source did: the median over sources of
        # each source's own p99 (rates) or largest figure (bursts, sizes, open connections), so that a
        # minority of abusive sources does not raise it. Edit, then try it on the same recording:
        #   wssguard policy replay --traffic DIR --policy THIS_FILE --against CURRENT_FILE
        # Not learned: handshake rules, access, per-IP message and byte rates (see the default policy).
        policies:
          suggested:
            mode: enforce
            perIp:
              # rate: typical source's p99: 1 handshakes/s over 20 sources (highest 1); x2 margin
              # burst: typical source's busiest second: 1 handshakes over 20 sources (highest 1); x2 margin
              handshakes: {rate: 2/s, burst: 2, action: reject, strike: true}
              # typical source's most connections open at once: 1 over 20 sources (highest 1); x2 margin
              connections: {max: 2, action: reject, strike: true}
            perConnection:
              # rate: typical source's p99: 6 msg/s per connection over 20 sources (highest 150); x2 margin
              # burst: typical source's busiest second: 6 messages over 20 sources (highest 150); x2 margin
              messages: {rate: 12/s, burst: 12, action: close, strike: true}
              # typical source's largest message: 250 bytes over 20 sources (highest 60000); x2 margin
              #   rounded up to a power of two, at least 1KiB
              maxMessageBytes: {max: 1KiB, action: close, strike: true}
            # As the default policy: five strikes in ten minutes ban a source for 15 minutes.
            strikes: {max: 5, window: 10m, ban: 15m}
        """,
        suggest(2));
  }

  @Test
  void suggestion_parses_andItsMessageRateFallsBetweenTheCalmAndTheAbusive() throws Exception {
    Policy p = parse(suggest(2));
    double rate = p.perConnection().messages().perSecond();
    assertTrue(rate > 8 && rate < 150, "rate " + rate);
    assertEquals(2, p.perIp().connections().max());
    assertEquals(1024, p.perConnection().maxMessageBytes().max());
    // A wider margin, a higher limit, still below the abusers.
    assertEquals(18, parse(suggest(3)).perConnection().messages().perSecond());
  }

  @Test
  void suggestion_replayedOnTheSameTraffic_closesExactlyTheAbusiveSources() throws Exception {
    ReplayReport report = PolicyReplay.run(traffic, new CompiledPolicy(parse(suggest(2))), null);
    Set<String> affected = new TreeSet<>();
    report.affected().forEach(a -> affected.add(a.source() + " " + a.limit() + " " + a.action()));
    assertEquals(
        Set.of(
            "10.0.1.50 perConnection.maxMessageBytes close",
            "10.0.1.51 perConnection.maxMessageBytes close"),
        affected);
  }

  @Test
  void suggestion_isTheSameBytesEachTime() throws Exception {
    assertEquals(suggest(2), suggest(2));
  }
}
