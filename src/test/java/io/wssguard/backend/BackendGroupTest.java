package io.wssguard.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.wssguard.config.BackendGroupConfig;
import io.wssguard.config.BackendTlsConfig;
import io.wssguard.config.Balance;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class BackendGroupTest {
  private static BackendGroup group(Balance balance) {
    return new BackendGroup(
        new BackendGroupConfig(
            "g",
            List.of(URI.create("ws://a:1/"), URI.create("ws://b:1/"), URI.create("ws://c:1/")),
            balance,
            Duration.ofSeconds(1),
            Duration.ofSeconds(10),
            2000,
            BackendTlsConfig.DEFAULT,
            BackendGroupConfig.DEFAULT_RESOLVE_EVERY));
  }

  private static String first(BackendGroup g, long now) {
    return g.candidates(now).get(0).host();
  }

  @Test
  void rotatesFirstCandidate_roundRobin() {
    BackendGroup g = group(Balance.ROUND_ROBIN);
    assertEquals(
        List.of("a", "b", "c", "a"), List.of(first(g, 0), first(g, 0), first(g, 0), first(g, 0)));
  }

  @Test
  void triesEveryServerOnce() {
    assertEquals(3, group(Balance.ROUND_ROBIN).candidates(0).stream().distinct().count());
  }

  @Test
  void putsDownServersLast_untilTheirDownTimeIsOver() {
    BackendGroup g = group(Balance.ROUND_ROBIN);
    BackendServer a = g.servers().get(0);
    g.markDown(a, 0);
    List<BackendServer> c = g.candidates(1);
    assertEquals(a, c.get(2));
    long later = Duration.ofSeconds(11).toNanos();
    assertEquals(3, g.candidates(later).stream().filter(s -> !s.isDown(later)).count());
  }

  @Test
  void prefersLeastLoaded_leastConnections() {
    BackendGroup g = group(Balance.LEAST_CONNECTIONS);
    g.connectionOpened(g.servers().get(0));
    g.connectionOpened(g.servers().get(1));
    assertEquals("c", first(g, 0));
    assertEquals("c", first(g, 0));
    g.servers().get(0).connectionClosed();
    List<BackendServer> c = g.candidates(0);
    assertEquals(0, c.get(0).activeConnections());
    assertEquals(0, c.get(1).activeConnections());
    assertEquals("b", c.get(2).host());
  }
}
