package io.wssguard.fleet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.wssguard.testing.CapturedLog;
import io.wssguard.time.ManualTicker;
import java.time.Duration;
import java.util.List;
import java.util.logging.Logger;
import org.junit.jupiter.api.Test;

/** A Redis outage of hours logs a warning a minute, saying how many it left out. */
class QuietLogTest {
  @Test
  void oneWarningPerKindAMinute_withTheCountLeftOut() {
    Logger logger = Logger.getAnonymousLogger();
    logger.setUseParentHandlers(false);
    CapturedLog lines = CapturedLog.of(logger);
    ManualTicker clock = new ManualTicker();
    QuietLog log = new QuietLog(logger, clock);

    assertTrue(log.warn("down", "redis down"));
    assertFalse(log.warn("down", "redis down"));
    assertTrue(log.warn("refused", "bad entry"), "another kind has its own minute");
    clock.advance(Duration.ofSeconds(59));
    assertFalse(log.warn("down", "redis down"));
    clock.advance(Duration.ofSeconds(1));
    assertTrue(log.warn("down", "redis down"));
    log.reset("down");
    assertTrue(
        log.warn("down", "redis down"), "after it came back, the next outage is told at once");

    assertEquals(
        List.of(
            "redis down",
            "bad entry",
            "redis down (2 more like it in the last minute)",
            "redis down"),
        lines.messages());
  }
}
