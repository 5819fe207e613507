package io.wssguard.frame;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

class Utf8ValidatorTest {

  @Test
  void accepts_boundaryCodePoints() {
    for (int cp :
        new int[] {0, 0x7F, 0x80, 0x7FF, 0x800, 0xD7FF, 0xE000, 0xFFFF, 0x10000, 0x10FFFF}) {
      byte[] b = new String(Character.toChars(cp)).getBytes(StandardCharsets.UTF_8);
      assertTrue(Utf8Validator.isValid(b, 0, b.length), Integer.toHexString(cp));
    }
  }

  @Test
  void rejects_overlongsSurrogatesAndOutOfRange() {
    int[][] bad = {
      {0xC0, 0x80},
      {0xC1, 0xBF},
      {0xE0, 0x9F, 0xBF},
      {0xF0, 0x8F, 0xBF, 0xBF},
      {0xED, 0xA0, 0x80},
      {0xED, 0xBF, 0xBF},
      {0xF4, 0x90, 0x80, 0x80},
      {0xF5, 0x80, 0x80, 0x80},
      {0xFE},
      {0xFF},
      {0x80},
      {0xE2, 0x82},
      {0xE2, 0x28, 0xA1},
    };
    for (int[] seq : bad) {
      byte[] b = new byte[seq.length];
      for (int i = 0; i < seq.length; i++) {
        b[i] = (byte) seq[i];
      }
      assertFalse(Utf8Validator.isValid(b, 0, b.length), Arrays.toString(seq));
    }
  }

  @Test
  void agrees_withJdkDecoder_onRandomBytes() {
    Random rnd = new Random(6455);
    int valid = 0;
    for (int iter = 0; iter < 50_000; iter++) {
      byte[] b = randomMostlyUtf8(rnd);
      boolean expected = jdkAccepts(b);
      if (expected) {
        valid++;
      }
      assertEquals(expected, Utf8Validator.isValid(b, 0, b.length), () -> hex(b));
    }
    // The generator must exercise both outcomes in earnest.
    assertTrue(valid > 10_000 && valid < 40_000, "valid=" + valid);
  }

  /** Valid text from all planes, then a few random byte edits, or plain random bytes. */
  static byte[] randomMostlyUtf8(Random rnd) {
    if (rnd.nextInt(4) == 0) {
      byte[] b = new byte[rnd.nextInt(8)];
      rnd.nextBytes(b);
      return b;
    }
    StringBuilder sb = new StringBuilder();
    int n = rnd.nextInt(12);
    for (int i = 0; i < n; i++) {
      int cp;
      switch (rnd.nextInt(4)) {
        case 0 -> cp = rnd.nextInt(0x80);
        case 1 -> cp = 0x80 + rnd.nextInt(0x800 - 0x80);
        case 2 -> {
          cp = 0x800 + rnd.nextInt(0x10000 - 0x800);
          if (cp >= 0xD800 && cp <= 0xDFFF) {
            cp = 0xFFFD;
          }
        }
        default -> cp = 0x10000 + rnd.nextInt(0x110000 - 0x10000);
      }
      sb.appendCodePoint(cp);
    }
    byte[] b = sb.toString().getBytes(StandardCharsets.UTF_8);
    int edits = rnd.nextInt(3);
    for (int e = 0; e < edits && b.length > 0; e++) {
      int i = rnd.nextInt(b.length);
      switch (rnd.nextInt(3)) {
        case 0 -> b[i] = (byte) rnd.nextInt(256);
        case 1 -> b[i] ^= (byte) (1 << rnd.nextInt(8));
        default -> b = java.util.Arrays.copyOf(b, i); // truncate mid sequence
      }
    }
    return b;
  }

  static boolean jdkAccepts(byte[] b) {
    CharsetDecoder d =
        StandardCharsets.UTF_8
            .newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT);
    try {
      d.decode(ByteBuffer.wrap(b));
      return true;
    } catch (CharacterCodingException e) {
      return false;
    }
  }

  private static String hex(byte[] b) {
    StringBuilder sb = new StringBuilder();
    for (byte x : b) {
      sb.append(String.format("%02x ", x & 0xFF));
    }
    return sb.toString();
  }
}
