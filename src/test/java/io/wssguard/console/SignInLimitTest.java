package io.wssguard.console;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.wssguard.time.ManualTicker;
import java.net.InetAddress;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** How often the console's sign-in may be tried, per source and in all. */
class SignInLimitTest {
  private final ManualTicker clock = new ManualTicker();
  private final SignInLimit limit = new SignInLimit(clock);

  private static InetAddress ip(String text) throws Exception {
    return InetAddress.getByAddress(InetAddress.getByName(text).getAddress());
  }

  @Test
  void fiveAttemptsPerSource_thenOneEvery12Seconds() throws Exception {
    InetAddress a = ip("192.0.2.1");
    for (int i = 0; i < SignInLimit.PER_SOURCE_BURST; i++) {
      assertEquals(0, limit.attempt(a), "attempt " + (i + 1));
    }
    assertEquals(12, limit.attempt(a), "Retry-After");
    assertEquals(0, limit.attempt(ip("192.0.2.2")), "another source is not held back");
    clock.advance(Duration.ofSeconds(11));
    assertEquals(1, limit.attempt(a));
    clock.advance(Duration.ofSeconds(1));
    assertEquals(0, limit.attempt(a));
    assertEquals(12, limit.attempt(a));
  }

  @Test
  void ipv6Sources_areCountedPer64() throws Exception {
    for (int i = 0; i < SignInLimit.PER_SOURCE_BURST; i++) {
      assertEquals(0, limit.attempt(ip("2001:db8:1:2::" + (i + 1))));
    }
    assertEquals(12, limit.attempt(ip("2001:db8:1:2::99")), "same /64");
    assertEquals(0, limit.attempt(ip("2001:db8:1:3::1")), "another /64");
  }

  @Test
  void allSourcesTogether_areHeldTo30AtOnce_thenOneASecond() throws Exception {
    for (int i = 0; i < SignInLimit.ALL_BURST; i++) {
      assertEquals(0, limit.attempt(ip("127.0.0." + (i + 1))), "attempt " + (i + 1));
    }
    assertEquals(1, limit.attempt(ip("127.0.1.1")), "every loopback address is one local user");
    clock.advance(Duration.ofSeconds(1));
    assertEquals(0, limit.attempt(ip("127.0.1.2")));
  }
}
