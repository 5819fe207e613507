package io.wssguard.baseline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.wssguard.baseline.RouteBaseline.Coverage;
import io.wssguard.baseline.RouteBaseline.PerSource;
import org.junit.jupiter.api.Test;

class RouteBaselineTest {
  private static final long T0 = 1_700_000_000_000L;

  /** A source connecting once at {@code t0} and sending {@code counts[i]} messages in second i. */
  private static void connection(RouteBaseline b, String source, long t0, long... counts) {
    b.handshake(source, t0, true);
    for (long c : counts) {
      b.connectionWindow(source, c, 0);
    }
    b.closed(source, t0 + counts.length * RouteBaseline.WINDOW_MS);
  }

  @Test
  void quantiles_matchAKnownUniformDistribution() {
    RouteBaseline b = new RouteBaseline();
    for (int i = 1; i <= 10_000; i++) {
      b.message("10.0.0.1", i);
    }
    Distribution sizes = b.all(Measure.MESSAGE_BYTES);
    assertEquals(10_000, sizes.count());
    assertEquals(5_000, sizes.quantile(0.5), 50);
    assertEquals(9_900, sizes.quantile(0.99), 20);
    assertEquals(10_000, sizes.max());
    assertEquals(1, sizes.min());
  }

  @Test
  void typicalSource_isTheMedianSource_whateverAMinorityOfHeavySourcesDid() {
    RouteBaseline b = new RouteBaseline();
    // 18 sources each send 1..10 messages a second (its p99 about 10, its max 10); 2 send 150.
    for (int s = 0; s < 18; s++) {
      connection(b, "10.0.0." + s, T0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10);
    }
    for (int s = 0; s < 2; s++) {
      connection(b, "10.0.1." + s, T0, 150, 150, 150, 150, 150, 150, 150, 150, 150, 150);
    }
    b.foldAll();
    assertEquals(10, b.typical(Measure.MESSAGE_RATE, PerSource.P99), 0.5);
    assertEquals(10, b.typical(Measure.MESSAGE_RATE, PerSource.MAX));
    assertEquals(150, b.perSource(Measure.MESSAGE_RATE, PerSource.MAX).max());
    // The global tail is the abusers'.
    assertEquals(150, b.all(Measure.MESSAGE_RATE).quantile(0.95));
    assertEquals(new Coverage(20, 20, 200, 0), b.coverage());
  }

  @Test
  void handshakesPerSecond_andOpenConnectionsAtEachHandshake_arePerSource() {
    RouteBaseline b = new RouteBaseline();
    b.handshake("10.0.0.1", T0, true);
    b.handshake("10.0.0.1", T0 + 100, true);
    b.handshake("10.0.0.1", T0 + 900, false); // refused: counted as a handshake, never open
    b.handshake("10.0.0.1", T0 + 1000, true); // the next second
    b.closed("10.0.0.1", T0 + 1500);
    b.foldIdle(T0 + 10_000, 5_000); // still has open connections: kept
    assertEquals(1, b.watching());
    b.closed("10.0.0.1", T0 + 1600);
    b.closed("10.0.0.1", T0 + 1700);
    b.foldIdle(T0 + 6_000, 5_000); // idle 4.3 s: kept
    assertEquals(1, b.watching());
    b.foldIdle(T0 + 6_700, 5_000);
    assertEquals(0, b.watching());
    Distribution handshakes = b.all(Measure.HANDSHAKE_RATE);
    assertEquals(2, handshakes.count());
    assertEquals(3, handshakes.max());
    assertEquals(1, handshakes.min());
    // 1, 2, then 3 when the refused one came (2 open), then 3 again (2 open) in the next second.
    Distribution open = b.all(Measure.CONNECTIONS);
    assertEquals(4, open.count());
    assertEquals(3, b.perSource(Measure.CONNECTIONS, PerSource.MAX).max());
    assertEquals(new Coverage(3, 1, 0, 0), b.coverage());
  }

  @Test
  void aSourceBeyondMaxSources_feedsOnlyTheAllSamplesDistributions() {
    RouteBaseline b = new RouteBaseline(2);
    connection(b, "10.0.0.1", T0, 5);
    connection(b, "10.0.0.2", T0, 5);
    connection(b, "10.0.0.3", T0, 500);
    assertEquals(1, b.unwatched());
    b.foldAll();
    assertEquals(2, b.coverage().sources());
    assertEquals(2, b.perSource(Measure.MESSAGE_RATE, PerSource.MAX).count());
    assertEquals(500, b.all(Measure.MESSAGE_RATE).max());
  }

  @Test
  void emptyWindowsAreNoSamples_andDirectionsAreApart() {
    RouteBaseline b = new RouteBaseline();
    b.handshake("10.0.0.1", T0, true);
    b.connectionWindow("10.0.0.1", 0, 0);
    b.connectionWindow("10.0.0.1", 0, 7);
    b.connectionWindow("10.0.0.1", 3, 0);
    assertEquals(2, b.coverage().windows());
    assertEquals(1, b.all(Measure.MESSAGE_RATE).count());
    assertEquals(3, b.all(Measure.MESSAGE_RATE).max());
    assertEquals(7, b.all(Measure.BACKEND_MESSAGE_RATE).max());
  }

  @Test
  void coverage_isEnoughFromTenSourcesAndTwentyConnections() {
    RouteBaseline b = new RouteBaseline();
    for (int s = 0; s < 9; s++) {
      connection(b, "10.0.0." + s, T0, 1);
      connection(b, "10.0.0." + s, T0 + 5000, 1);
    }
    b.foldAll();
    assertFalse(b.coverage().enough(), b.coverage().toString());
    connection(b, "10.0.0.9", T0, 1);
    connection(b, "10.0.0.9", T0 + 5000, 1);
    b.foldAll();
    assertTrue(b.coverage().enough(), b.coverage().toString());
  }

  @Test
  void merge_addsFiguresAndCounts() {
    RouteBaseline a = new RouteBaseline();
    RouteBaseline c = new RouteBaseline();
    connection(a, "10.0.0.1", T0, 4);
    connection(c, "10.0.0.2", T0, 8);
    a.foldAll();
    c.foldAll();
    a.merge(c);
    assertEquals(new Coverage(2, 2, 2, 0), a.coverage());
    assertEquals(8, a.perSource(Measure.MESSAGE_RATE, PerSource.MAX).max());
    assertEquals(4, a.perSource(Measure.MESSAGE_RATE, PerSource.MAX).min());
  }

  @Test
  void foldedCopy_foldsSourcesStillWatched_intoTheCopyOnly() {
    RouteBaseline b = new RouteBaseline();
    for (int s = 0; s < 10; s++) {
      b.handshake("10.0.0." + s, T0, true); // still open
      for (int w = 1; w <= 10; w++) {
        b.connectionWindow("10.0.0." + s, w, 0);
      }
    }
    RouteBaseline copy = b.foldedCopy();
    assertEquals(10, b.watching());
    assertEquals(new Coverage(10, 0, 100, 0), b.coverage());
    assertEquals(new Coverage(10, 10, 100, 0), copy.coverage());
    assertEquals(10, copy.typical(Measure.MESSAGE_RATE, PerSource.MAX));
    assertTrue(Double.isNaN(b.typical(Measure.MESSAGE_RATE, PerSource.MAX)));
    b.foldAll(); // the original still folds its sources once, with everything they did
    assertEquals(copy.coverage(), b.coverage());
    assertEquals(10, b.typical(Measure.MESSAGE_RATE, PerSource.MAX));
  }
}
