package io.wssguard.console;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.wssguard.time.ManualTicker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The console's sessions on a clock the test moves: idle and absolute ends, sign-out, the cap. */
class SessionsTest {
  private final ManualTicker clock = new ManualTicker();
  private final Sessions sessions = new Sessions(clock);

  @Test
  void open_makesANewRandomIdAndCsrfToken_eachTime() {
    Sessions.Session a = sessions.open();
    Sessions.Session b = sessions.open();
    assertNotEquals(a.id(), b.id());
    assertNotEquals(a.csrf(), b.csrf());
    assertNotEquals(a.id(), a.csrf());
    assertTrue(a.id().matches("[A-Za-z0-9_-]{43}"), a.id()); // 256 bits, base64url
  }

  @Test
  void find_keepsAUsedSession_andEndsOneIdleFor30Minutes() {
    Sessions.Session s = sessions.open();
    clock.advance(Duration.ofMinutes(29));
    assertSame(s, sessions.find(s.id()), "used within the idle time");
    clock.advance(Duration.ofMinutes(29));
    assertSame(s, sessions.find(s.id()), "the last use counts, not the sign-in");
    clock.advance(Duration.ofMinutes(30));
    assertNull(sessions.find(s.id()), "idle for 30 minutes: ended");
    assertEquals(0, sessions.size());
  }

  @Test
  void find_endsASession12HoursAfterSignIn_howeverBusy() {
    Sessions.Session s = sessions.open();
    for (int i = 0; i < 12 * 6 - 1; i++) {
      clock.advance(Duration.ofMinutes(10));
      assertSame(s, sessions.find(s.id()));
    }
    assertEquals(600, sessions.secondsLeft(s));
    clock.advance(Duration.ofMinutes(10));
    assertNull(sessions.find(s.id()), "12 hours after sign-in");
  }

  @Test
  void close_andCloseAll_signOut() {
    Sessions.Session a = sessions.open();
    Sessions.Session b = sessions.open();
    assertTrue(sessions.close(a.id()));
    assertFalse(sessions.close(a.id()));
    assertNull(sessions.find(a.id()));
    assertSame(b, sessions.find(b.id()));
    sessions.closeAll();
    assertNull(sessions.find(b.id()), "a rotated token signs everyone out");
    assertNull(sessions.find(null));
    assertNull(sessions.find("made-up"));
  }

  @Test
  void csrfMatches_onlyTheSessionsOwnToken() {
    Sessions.Session a = sessions.open();
    Sessions.Session b = sessions.open();
    assertTrue(a.csrfMatches(a.csrf()));
    assertFalse(a.csrfMatches(b.csrf()));
    assertFalse(a.csrfMatches(null));
    assertFalse(a.csrfMatches(""));
    assertFalse(a.csrfMatches(a.csrf().substring(1)));
  }

  @Test
  void open_atTheCap_dropsTheLeastRecentlyUsedSession() {
    List<Sessions.Session> all = new ArrayList<>();
    for (int i = 0; i < Sessions.MAX; i++) {
      all.add(sessions.open());
      clock.advance(Duration.ofSeconds(1));
    }
    sessions.find(all.get(0).id()); // the oldest is used again: the second is now the least used
    Sessions.Session newest = sessions.open();
    assertEquals(Sessions.MAX, sessions.size());
    assertSame(all.get(0), sessions.find(all.get(0).id()));
    assertNull(sessions.find(all.get(1).id()));
    assertSame(newest, sessions.find(newest.id()));
  }
}
