package io.wssguard.console;

import io.wssguard.time.Ticker;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.Comparator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The console's signed-in sessions: a random id (the cookie) and a random CSRF token each, 256 bits
 * from {@link SecureRandom}, held in memory only (a restart signs everyone out).
 *
 * <p>A session ends when it has been idle for {@link #IDLE}, {@link #ABSOLUTE} after sign-in
 * whatever it did, at sign-out, and for all sessions at once when the admin token changes (a
 * rotated token must not leave its holders signed in). An id is never chosen by the client: sign-in
 * always makes a new one (no session fixation). At most {@link #MAX} sessions are held; the least
 * recently used one makes room.
 */
public final class Sessions {
  public static final Duration IDLE = Duration.ofMinutes(30);
  public static final Duration ABSOLUTE = Duration.ofHours(12);
  static final int MAX = 64;

  /** One signed-in browser. */
  public static final class Session {
    private final String id;
    private final String csrf;
    private final long startedNanos;
    private volatile long usedNanos;

    Session(String id, String csrf, long now) {
      this.id = id;
      this.csrf = csrf;
      this.startedNanos = now;
      this.usedNanos = now;
    }

    /** The cookie's value. */
    public String id() {
      return id;
    }

    /** The token every state-changing request of this session carries in a header. */
    public String csrf() {
      return csrf;
    }

    /** Whether {@code header} is this session's CSRF token (constant-time compare). */
    public boolean csrfMatches(String header) {
      return header != null
          && MessageDigest.isEqual(
              header.getBytes(StandardCharsets.UTF_8), csrf.getBytes(StandardCharsets.UTF_8));
    }
  }

  private final Ticker ticker;
  private final SecureRandom random = new SecureRandom();
  private final Map<String, Session> byId = new ConcurrentHashMap<>();

  public Sessions(Ticker ticker) {
    this.ticker = ticker;
  }

  /** A new session (after a correct admin token). */
  public Session open() {
    long now = ticker.nanos();
    byId.values().removeIf(s -> expired(s, now));
    while (byId.size() >= MAX) {
      byId.values().stream()
          .min(Comparator.comparingLong(s -> s.usedNanos))
          .ifPresent(s -> byId.remove(s.id));
    }
    Session s = new Session(randomText(), randomText(), now);
    byId.put(s.id, s);
    return s;
  }

  /** The live session with cookie value {@code id}, now used; null when none (or it expired). */
  public Session find(String id) {
    if (id == null) {
      return null;
    }
    Session s = byId.get(id);
    if (s == null) {
      return null;
    }
    long now = ticker.nanos();
    if (expired(s, now)) {
      byId.remove(id, s);
      return null;
    }
    s.usedNanos = now;
    return s;
  }

  /** Seconds until {@code s} ends at the latest (its absolute limit). */
  public long secondsLeft(Session s) {
    return Math.max(0, (s.startedNanos + ABSOLUTE.toNanos() - ticker.nanos()) / 1_000_000_000L);
  }

  /** Signs {@code id} out; returns whether it was signed in. */
  public boolean close(String id) {
    return id != null && byId.remove(id) != null;
  }

  /** Signs everyone out (the admin token changed). */
  public void closeAll() {
    byId.clear();
  }

  public int size() {
    return byId.size();
  }

  private static boolean expired(Session s, long now) {
    return now - s.usedNanos >= IDLE.toNanos() || now - s.startedNanos >= ABSOLUTE.toNanos();
  }

  private String randomText() {
    byte[] b = new byte[32];
    random.nextBytes(b);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
  }
}
