package io.wssguard.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.handler.ssl.OpenSslSessionTicketKey;
import java.time.Duration;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * The schedule of a listener's ticket keys, on explicit nanosecond times: a key encrypts for one
 * period, decrypts for one more, and is gone after that, however late the handshake comes that
 * notices it.
 */
class SessionTicketKeysTest {
  private static final Duration PERIOD = Duration.ofHours(1);
  private static final long P = PERIOD.toNanos();
  private static final long T0 = 1_000_000_000_000L;

  @Test
  void oneKey_untilThePeriodEnds() {
    SessionTicketKeys keys = new SessionTicketKeys(T0, PERIOD);
    OpenSslSessionTicketKey first = keys.keys()[0];
    assertEquals(1, keys.keys().length);
    assertFalse(keys.due(T0 + P - 1));
    assertFalse(keys.rotate(T0 + P - 1, PERIOD));
    assertEquals(first, keys.keys()[0]);
  }

  @Test
  void rotates_keepingThePreviousKeyForOneMorePeriod() {
    SessionTicketKeys keys = new SessionTicketKeys(T0, PERIOD);
    OpenSslSessionTicketKey first = keys.keys()[0];
    assertTrue(keys.due(T0 + P));
    assertTrue(keys.rotate(T0 + P, PERIOD));
    OpenSslSessionTicketKey[] now = keys.keys();
    assertEquals(2, now.length);
    assertNotEquals(first, now[0]);
    assertFalse(Arrays.equals(first.name(), now[0].name()), "a fresh key name");
    assertEquals(first, now[1]);

    // The previous key goes when it is two periods old, which is also when the next rotation is
    // due.
    assertFalse(keys.due(T0 + 2 * P - 1));
    assertTrue(keys.rotate(T0 + 2 * P, PERIOD));
    assertEquals(2, keys.keys().length);
    assertEquals(now[0], keys.keys()[1]);
    assertFalse(Arrays.asList(keys.keys()).contains(first));
  }

  @Test
  void aLateRotation_dropsAKeyOlderThanTwoPeriods() {
    SessionTicketKeys keys = new SessionTicketKeys(T0, PERIOD);
    OpenSslSessionTicketKey first = keys.keys()[0];
    assertTrue(keys.rotate(T0 + 2 * P + 1, PERIOD));
    assertEquals(1, keys.keys().length);
    assertNotEquals(first, keys.keys()[0]);
  }

  @Test
  void aLateRotation_keepsThePreviousKeyOnlyUntilItsOwnEnd() {
    SessionTicketKeys keys = new SessionTicketKeys(T0, PERIOD);
    OpenSslSessionTicketKey first = keys.keys()[0];
    keys.rotate(T0 + P + P / 2, PERIOD); // noticed half a period late
    assertEquals(first, keys.keys()[1]);
    assertTrue(keys.due(T0 + 2 * P), "the first key ends two periods after it was made");
    assertTrue(keys.rotate(T0 + 2 * P, PERIOD));
    assertEquals(1, keys.keys().length);
  }
}
