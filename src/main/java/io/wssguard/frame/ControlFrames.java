package io.wssguard.frame;

import java.nio.BufferOverflowException;
import java.nio.ByteBuffer;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Control frames the proxy originates itself (RFC 6455 section 5.5): a close it sends when it
 * refuses a peer, and a keep-alive ping.
 *
 * <p>Frames towards a server are masked with a fresh random key (section 5.3: the key must be
 * unpredictable to the client application; ThreadLocalRandom is enough here because the payload is
 * the proxy's own text, not attacker-chosen). Frames towards a client are not masked.
 *
 * <p>The close reason is encoded by hand, straight into the destination, so that sending a close
 * allocates nothing; it is cut at a code point boundary so the payload stays within the 125-byte
 * control frame limit (section 5.5) and remains valid UTF-8 (section 5.5.1). Unpaired surrogates in
 * the Java string become U+FFFD.
 */
public final class ControlFrames {

  /** The largest frame writeClose can produce: 2 header bytes, 4 mask bytes, 125 payload bytes. */
  public static final int MAX_CLOSE_FRAME_BYTES = 2 + 4 + 125;

  private static final int MAX_CONTROL_PAYLOAD = 125;
  private static final int MAX_REASON_BYTES = MAX_CONTROL_PAYLOAD - 2;

  private ControlFrames() {}

  /**
   * Writes a close frame at {@code dst}'s position and advances it.
   *
   * @param code a code for which {@link #isValidCloseCode} holds
   * @param reason free text, may be null; truncated at a UTF-8 boundary to fit 123 bytes
   * @param masked true when the frame goes towards a server
   * @throws IllegalArgumentException if the code may not be sent on the wire
   * @throws BufferOverflowException if dst has too little room; nothing is written then
   */
  public static void writeClose(ByteBuffer dst, int code, String reason, boolean masked) {
    if (!isValidCloseCode(code)) {
      throw new IllegalArgumentException(
          "close code: " + code + " (expected: 1000..1003, 1007..1014, 3000..4999)");
    }
    int reasonChars = 0;
    int reasonBytes = 0;
    if (reason != null) {
      int n = reason.length();
      while (reasonChars < n) {
        int units = codePointUnits(reason, reasonChars);
        int bytes = utf8Length(reason, reasonChars, units);
        if (reasonBytes + bytes > MAX_REASON_BYTES) {
          break;
        }
        reasonBytes += bytes;
        reasonChars += units;
      }
    }
    int payload = 2 + reasonBytes;
    int size = 2 + (masked ? 4 : 0) + payload;
    if (dst.remaining() < size) {
      throw new BufferOverflowException();
    }
    int key = masked ? ThreadLocalRandom.current().nextInt() : 0;
    dst.put((byte) 0x88);
    dst.put((byte) ((masked ? 0x80 : 0) | payload));
    if (masked) {
      dst.putInt(key);
    }
    int i = 0;
    i = put(dst, key, i, code >>> 8);
    i = put(dst, key, i, code & 0xFF);
    int c = 0;
    while (c < reasonChars) {
      int units = codePointUnits(reason, c);
      int cp =
          units == 2
              ? Character.toCodePoint(reason.charAt(c), reason.charAt(c + 1))
              : reason.charAt(c);
      if (units == 1 && Character.isSurrogate((char) cp)) {
        cp = 0xFFFD;
      }
      if (cp < 0x80) {
        i = put(dst, key, i, cp);
      } else if (cp < 0x800) {
        i = put(dst, key, i, 0xC0 | (cp >>> 6));
        i = put(dst, key, i, 0x80 | (cp & 0x3F));
      } else if (cp < 0x10000) {
        i = put(dst, key, i, 0xE0 | (cp >>> 12));
        i = put(dst, key, i, 0x80 | ((cp >>> 6) & 0x3F));
        i = put(dst, key, i, 0x80 | (cp & 0x3F));
      } else {
        i = put(dst, key, i, 0xF0 | (cp >>> 18));
        i = put(dst, key, i, 0x80 | ((cp >>> 12) & 0x3F));
        i = put(dst, key, i, 0x80 | ((cp >>> 6) & 0x3F));
        i = put(dst, key, i, 0x80 | (cp & 0x3F));
      }
      c += units;
    }
  }

  /** Writes a ping with an empty payload at {@code dst}'s position and advances it. */
  public static void writePing(ByteBuffer dst, boolean masked) {
    if (dst.remaining() < (masked ? 6 : 2)) {
      throw new BufferOverflowException();
    }
    dst.put((byte) 0x89);
    dst.put((byte) (masked ? 0x80 : 0));
    if (masked) {
      dst.putInt(ThreadLocalRandom.current().nextInt());
    }
  }

  /**
   * Whether {@code code} may appear in a close frame on the wire (RFC 6455 section 7.4 and the IANA
   * registry): 1000..1003, 1007..1014 and 3000..4999. 1004 is reserved, 1005, 1006 and 1015 must
   * never be sent, and everything else below 3000 is unassigned.
   */
  public static boolean isValidCloseCode(int code) {
    return (code >= CloseCodes.NORMAL && code <= CloseCodes.UNSUPPORTED_DATA)
        || (code >= CloseCodes.INVALID_PAYLOAD && code <= CloseCodes.BAD_GATEWAY)
        || (code >= 3000 && code <= 4999);
  }

  private static int put(ByteBuffer dst, int key, int index, int b) {
    dst.put((byte) (b ^ (key >>> (24 - 8 * (index & 3)))));
    return index + 1;
  }

  private static int codePointUnits(String s, int i) {
    return Character.isHighSurrogate(s.charAt(i))
            && i + 1 < s.length()
            && Character.isLowSurrogate(s.charAt(i + 1))
        ? 2
        : 1;
  }

  private static int utf8Length(String s, int i, int units) {
    if (units == 2) {
      return 4;
    }
    char ch = s.charAt(i);
    return ch < 0x80 ? 1 : ch < 0x800 ? 2 : 3; // a lone surrogate becomes U+FFFD, 3 bytes
  }
}
