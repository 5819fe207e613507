package io.wssguard.tls;

import io.netty.handler.ssl.OpenSslSessionTicketKey;
import java.security.SecureRandom;
import java.time.Duration;

/**
 * The session ticket keys of one TLS listener, kept in memory only and rotated on a schedule: a key
 * encrypts new tickets for one period, then only decrypts (so a ticket issued just before the
 * rotation still resumes) for one more period, then it is dropped. A ticket older than a period is
 * refused anyway (the context's session timeout is the period), so nothing is lost by dropping it.
 *
 * <p>Rotation is driven by the handshakes themselves: {@link #due} is one read and one comparison,
 * cheap enough for every accepted connection, and only when it says yes does the caller take the
 * slot's lock and call {@link #rotate}. A listener that sees no handshakes keeps its keys until the
 * next one arrives; they encrypt nothing in the meantime.
 *
 * <p>The keys outlive a configuration reload (the {@link TlsSlot} holds them and gives them to each
 * new context), so a reload does not turn every returning client into a full handshake. They never
 * reach a file: a restart starts with fresh keys, and tickets issued before it fall back to a full
 * handshake.
 */
final class SessionTicketKeys {
  private final SecureRandom random = new SecureRandom();

  private OpenSslSessionTicketKey current;
  private OpenSslSessionTicketKey previous;
  private long currentSince;
  private long previousUntil;

  /** When the next change is due ({@link System#nanoTime()} scale), read without the lock. */
  private volatile long nextChange;

  SessionTicketKeys(long now, Duration period) {
    current = fresh();
    currentSince = now;
    nextChange = now + period.toNanos();
  }

  /** Whether {@link #rotate} has anything to do at {@code now}. */
  boolean due(long now) {
    return now - nextChange >= 0;
  }

  /**
   * Brings the keys up to {@code now}: a new encryption key once the current one has served a
   * period (it stays for decryption until two periods after it was made), the previous one dropped
   * once it is two periods old. Call with the slot's lock held.
   *
   * @return whether the keys changed (then give {@link #keys()} to the context)
   */
  boolean rotate(long now, Duration period) {
    long p = period.toNanos();
    boolean changed = false;
    if (previous != null && now - previousUntil >= 0) {
      previous = null;
      changed = true;
    }
    if (now - (currentSince + p) >= 0) {
      boolean stillDecrypts = now - (currentSince + 2 * p) < 0;
      previous = stillDecrypts ? current : null;
      previousUntil = currentSince + 2 * p;
      current = fresh();
      currentSince = now;
      changed = true;
    }
    long next = currentSince + p;
    if (previous != null && previousUntil - next < 0) {
      next = previousUntil;
    }
    nextChange = next;
    return changed;
  }

  /** The key for new tickets first, then the one that may still decrypt, if any. */
  OpenSslSessionTicketKey[] keys() {
    return previous == null
        ? new OpenSslSessionTicketKey[] {current}
        : new OpenSslSessionTicketKey[] {current, previous};
  }

  private OpenSslSessionTicketKey fresh() {
    byte[] name = new byte[OpenSslSessionTicketKey.NAME_SIZE];
    byte[] hmac = new byte[OpenSslSessionTicketKey.HMAC_KEY_SIZE];
    byte[] aes = new byte[OpenSslSessionTicketKey.AES_KEY_SIZE];
    random.nextBytes(name);
    random.nextBytes(hmac);
    random.nextBytes(aes);
    return new OpenSslSessionTicketKey(name, hmac, aes);
  }
}
