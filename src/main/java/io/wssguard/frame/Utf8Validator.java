package io.wssguard.frame;

/*
 * Incremental UTF-8 validator as a deterministic finite automaton over bytes.
 *
 * The states follow the well-formed byte sequence table of the Unicode Standard (chapter 3,
 * Table 3-7; also RFC 3629 section 4): after a lead byte the automaton knows exactly which range
 * the next continuation byte must fall in, so overlong forms (C0, C1, E0 80..9F, F0 80..8F),
 * UTF-16 surrogates (ED A0..BF) and code points above U+10FFFF (F4 90..BF, F5..FF) are rejected
 * at the first byte that makes the sequence impossible.
 *
 * The whole state is one int, so a caller can keep it in a field and resume across frame and
 * read boundaries (RFC 6455 section 8.1: a code point may be split between fragments). Stepping
 * is two array loads: byte -> class, (state, class) -> state. Nothing allocates.
 */
final class Utf8Validator {

  /** Between code points: the only state in which input may end. */
  static final int ACCEPT = 0;

  /** Terminal: the input is not UTF-8. */
  static final int REJECT = 1;

  // Remaining states: how many continuation bytes are still owed, and for the second byte of
  // E0, ED, F0 and F4 sequences, the narrowed range it must lie in.
  private static final int TAIL1 = 2;
  private static final int TAIL2 = 3;
  private static final int TAIL3 = 4;
  private static final int AFTER_E0 = 5; // A0..BF, then one more
  private static final int AFTER_ED = 6; // 80..9F, then one more
  private static final int AFTER_F0 = 7; // 90..BF, then two more
  private static final int AFTER_F4 = 8; // 80..8F, then two more
  private static final int STATES = 9;

  // Byte classes.
  private static final int ASCII = 0; // 00..7F
  private static final int CONT_80 = 1; // 80..8F
  private static final int CONT_90 = 2; // 90..9F
  private static final int CONT_A0 = 3; // A0..BF
  private static final int LEAD2 = 4; // C2..DF
  private static final int LEAD_E0 = 5;
  private static final int LEAD3 = 6; // E1..EC, EE..EF
  private static final int LEAD_ED = 7;
  private static final int LEAD_F0 = 8;
  private static final int LEAD4 = 9; // F1..F3
  private static final int LEAD_F4 = 10;
  private static final int INVALID = 11; // C0, C1, F5..FF
  private static final int CLASSES = 12;

  private static final byte[] CLASS_OF = new byte[256];
  private static final byte[] NEXT = new byte[STATES * CLASSES];

  static {
    for (int b = 0; b < 256; b++) {
      int c;
      if (b < 0x80) {
        c = ASCII;
      } else if (b < 0x90) {
        c = CONT_80;
      } else if (b < 0xA0) {
        c = CONT_90;
      } else if (b < 0xC0) {
        c = CONT_A0;
      } else if (b < 0xC2) {
        c = INVALID;
      } else if (b < 0xE0) {
        c = LEAD2;
      } else if (b == 0xE0) {
        c = LEAD_E0;
      } else if (b == 0xED) {
        c = LEAD_ED;
      } else if (b < 0xF0) {
        c = LEAD3;
      } else if (b == 0xF0) {
        c = LEAD_F0;
      } else if (b < 0xF4) {
        c = LEAD4;
      } else if (b == 0xF4) {
        c = LEAD_F4;
      } else {
        c = INVALID;
      }
      CLASS_OF[b] = (byte) c;
    }
    java.util.Arrays.fill(NEXT, (byte) REJECT);
    set(ACCEPT, ASCII, ACCEPT);
    set(ACCEPT, LEAD2, TAIL1);
    set(ACCEPT, LEAD_E0, AFTER_E0);
    set(ACCEPT, LEAD3, TAIL2);
    set(ACCEPT, LEAD_ED, AFTER_ED);
    set(ACCEPT, LEAD_F0, AFTER_F0);
    set(ACCEPT, LEAD4, TAIL3);
    set(ACCEPT, LEAD_F4, AFTER_F4);
    for (int c : new int[] {CONT_80, CONT_90, CONT_A0}) {
      set(TAIL1, c, ACCEPT);
      set(TAIL2, c, TAIL1);
      set(TAIL3, c, TAIL2);
    }
    set(AFTER_E0, CONT_A0, TAIL1);
    set(AFTER_ED, CONT_80, TAIL1);
    set(AFTER_ED, CONT_90, TAIL1);
    set(AFTER_F0, CONT_90, TAIL2);
    set(AFTER_F0, CONT_A0, TAIL2);
    set(AFTER_F4, CONT_80, TAIL2);
  }

  private static void set(int state, int byteClass, int next) {
    NEXT[state * CLASSES + byteClass] = (byte) next;
  }

  private Utf8Validator() {}

  /** The state after reading {@code b} (0..255) in {@code state}; REJECT is absorbing. */
  static int step(int state, int b) {
    return NEXT[state * CLASSES + CLASS_OF[b]];
  }

  /** Validates a whole array; used by tests and by cold paths. */
  static boolean isValid(byte[] bytes, int off, int len) {
    int s = ACCEPT;
    for (int i = off, end = off + len; i < end && s != REJECT; i++) {
      s = step(s, bytes[i] & 0xFF);
    }
    return s == ACCEPT;
  }
}
