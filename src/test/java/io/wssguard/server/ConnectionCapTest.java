package io.wssguard.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.wssguard.config.LimitsConfig;
import org.junit.jupiter.api.Test;

class ConnectionCapTest {
  @Test
  void derivesHalfOfTheDescriptorsLeftAfterTheReserve() {
    assertEquals((20_000 - 256) / 2, ConnectionCap.derived(20_000));
    assertEquals((1024 - 256) / 2, ConnectionCap.derived(1024));
    assertEquals(64 / 2 / 2, ConnectionCap.derived(64), "too few for the reserve: a quarter");
    assertEquals(Integer.MAX_VALUE, ConnectionCap.derived(-1), "limit unknown: no cap");
  }

  @Test
  void takesTheConfiguredCap_orDerivesOneFromThisProcess() {
    assertEquals(7, ConnectionCap.of(new LimitsConfig(7)).max());
    long limit = ConnectionCap.fileDescriptorLimit();
    assertTrue(limit > 0, "Linux reports RLIMIT_NOFILE");
    assertEquals(ConnectionCap.derived(limit), ConnectionCap.of(LimitsConfig.DEFAULT).max());
  }

  @Test
  void refusesBeyondTheCap_untilAPlaceIsGivenBack() {
    ConnectionCap cap = new ConnectionCap(2);
    assertTrue(cap.tryOpen());
    assertTrue(cap.tryOpen());
    assertFalse(cap.tryOpen());
    assertEquals(2, cap.open());
    cap.closed();
    assertTrue(cap.tryOpen());
  }
}
