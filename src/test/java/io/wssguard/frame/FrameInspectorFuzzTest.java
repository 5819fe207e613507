package io.wssguard.frame;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.wssguard.frame.InspectorRun.Outcome;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Seeded randomized checks: valid streams, mutated streams, arbitrary read boundaries. The only
 * documented outcomes are "consumed up to end" or a 1002/1007/1009 violation; and where the reads
 * end must not change the verdict.
 *
 * <p>{@link #yieldsOnlyDocumentedOutcomes_whereverTheReadsEnd} checks the same contract under
 * coverage-guided fuzzing (Jazzer; docs/FUZZING.md): its input chooses the direction, the limits,
 * the buffer's byte order and every read boundary, then gives the stream. Its corpus is in
 * src/test/resources/io/wssguard/frame/FrameInspectorFuzzTestInputs.
 */
class FrameInspectorFuzzTest {

  private static final long SEED = 0x6455L;

  @Test
  void agreesWithOneCall_whenValidStreamSplitAtRandomReads() {
    Random rnd = new Random(SEED);
    for (int iter = 0; iter < 3_000; iter++) {
      boolean fromClient = rnd.nextBoolean();
      boolean deflate = rnd.nextBoolean();
      byte[] s = validStream(rnd, fromClient, deflate);
      Outcome whole = InspectorRun.once(new FrameInspector(fromClient, 1 << 20, deflate), s);
      assertEquals(0, whole.code(), whole.reason());
      assertEquals(s.length, whole.end());
      assertTrue(whole.atBoundary());
      Outcome relayed = relay(new FrameInspector(fromClient, 1 << 20, deflate), s, rnd);
      assertEquals(whole, relayed, "iteration " + iter);
    }
  }

  @Test
  void yieldsOnlyDocumentedOutcomes_whenValidStreamsMutated() {
    Random rnd = new Random(SEED + 1);
    int[] seen = new int[2000];
    for (int iter = 0; iter < 20_000; iter++) {
      boolean fromClient = rnd.nextBoolean();
      boolean deflate = rnd.nextBoolean();
      long max = rnd.nextBoolean() ? 1 << 20 : 1 + rnd.nextInt(400);
      byte[] s = mutate(rnd, validStream(rnd, fromClient, deflate));
      Outcome whole;
      Outcome relayed;
      try {
        whole = InspectorRun.once(new FrameInspector(fromClient, max, deflate), s);
        relayed = relay(new FrameInspector(fromClient, max, deflate), s, rnd);
      } catch (RuntimeException e) {
        throw new AssertionError("iteration " + iter + " threw", e);
      }
      seen[whole.code()]++;
      String where = "iteration " + iter;
      assertTrue(whole.end() >= 0 && whole.end() <= s.length, where);
      switch (whole.code()) {
        case 0 -> assertTrue(s.length - whole.end() <= ControlFrames.MAX_CLOSE_FRAME_BYTES, where);
        case 1002, 1007, 1009 -> assertTrue(!whole.midFrame(), where);
        default -> fail(where + ": code " + whole.code());
      }
      assertEquals(whole.code(), relayed.code(), where);
      assertEquals(whole.reason(), relayed.reason(), where);
      if (whole.code() == 0) {
        assertEquals(whole, relayed, where);
      } else if (!relayed.midFrame()) {
        assertEquals(whole.end(), relayed.end(), where);
      } else {
        assertTrue(relayed.end() > whole.end(), where + ": the frame began before the last read");
      }
    }
    assertTrue(
        seen[0] > 1000 && seen[1002] > 1000 && seen[1007] > 100 && seen[1009] > 100,
        () ->
            "0:" + seen[0] + " 1002:" + seen[1002] + " 1007:" + seen[1007] + " 1009:" + seen[1009]);
  }

  @Test
  void agreesWithValidator_onMaskedTextAtEveryPhase() {
    // Differential check of the word-at-a-time path: high-bit-rich keys and payloads, both byte
    // orders.
    Random rnd = new Random(SEED + 2);
    int[] keyPool = {
      0x80000000, 0x00800000, 0x00008000, 0x00000080, 0x80800000, 0x80008080, 0xFFFFFFFF, 0
    };
    for (int iter = 0; iter < 20_000; iter++) {
      byte[] payload = new byte[rnd.nextInt(40)];
      for (int i = 0; i < payload.length; i++) {
        int r = rnd.nextInt(10);
        payload[i] =
            (byte)
                (r < 6
                    ? 'a' + rnd.nextInt(26)
                    : r < 8 ? 0x80 + rnd.nextInt(0x40) : rnd.nextInt(256));
      }
      if (rnd.nextBoolean()) {
        byte[] valid = UTF8_SAMPLES[rnd.nextInt(UTF8_SAMPLES.length)];
        payload = WireFrame.concat(valid, payload);
      }
      int key = rnd.nextBoolean() ? keyPool[rnd.nextInt(keyPool.length)] : rnd.nextInt();
      boolean fromClient = rnd.nextBoolean();
      WireFrame f = WireFrame.text(payload);
      byte[] s = (fromClient ? f.mask(key) : f).bytes();
      ByteBuffer buf =
          ByteBuffer.allocate(s.length + 16)
              .order(rnd.nextBoolean() ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN);
      int off = rnd.nextInt(8);
      buf.position(off);
      buf.put(s);
      FrameInspector fi = new FrameInspector(fromClient, 1 << 20, false);
      fi.inspect(buf, off, off + s.length);
      boolean expected = Utf8Validator.isValid(payload, 0, payload.length);
      assertEquals(expected ? 0 : 1007, fi.violationCode(), "iteration " + iter);
    }
  }

  /**
   * Input layout: byte 0 flags (bit 0 client-to-server, bit 1 permessage-deflate, bit 2
   * little-endian buffer, bit 3 a small size limit), byte 1 that limit, byte 2 the number of reads
   * (0..15), then two bytes per read for where it ends (taken modulo the stream length), then the
   * stream.
   */
  @FuzzTest(maxDuration = "2m")
  @Timeout(30)
  void yieldsOnlyDocumentedOutcomes_whereverTheReadsEnd(byte[] input) {
    if (input.length < 3) {
      return;
    }
    int flags = input[0];
    boolean fromClient = (flags & 1) != 0;
    boolean deflate = (flags & 2) != 0;
    ByteOrder order = (flags & 4) != 0 ? ByteOrder.LITTLE_ENDIAN : ByteOrder.BIG_ENDIAN;
    long max = (flags & 8) != 0 ? input[1] & 0xFF : 1 << 20;
    int reads = input[2] & 0x0F;
    int head = Math.min(input.length, 3 + 2 * reads);
    byte[] s = Arrays.copyOfRange(input, head, input.length);
    int[] cuts = new int[(head - 3) / 2];
    for (int i = 0; i < cuts.length; i++) {
      int at = ((input[3 + 2 * i] & 0xFF) << 8) | (input[4 + 2 * i] & 0xFF);
      cuts[i] = at % (s.length + 1);
    }
    Arrays.sort(cuts);

    Outcome whole = InspectorRun.once(new FrameInspector(fromClient, max, deflate), s, order);
    Outcome split =
        InspectorRun.split(new FrameInspector(fromClient, max, deflate), s, order, cuts);

    assertTrue(whole.end() >= 0 && whole.end() <= s.length, "end " + whole.end());
    switch (whole.code()) {
      case 0 ->
          assertTrue(
              s.length - whole.end() <= ControlFrames.MAX_CLOSE_FRAME_BYTES,
              "left " + (s.length - whole.end()) + " bytes unconsumed");
      case 1002, 1007, 1009 -> {
        assertTrue(!whole.midFrame(), "one read cannot end mid-frame");
        assertTrue(!whole.reason().isEmpty(), "a violation names its reason");
      }
      default -> fail("code " + whole.code() + ": " + whole.reason());
    }
    assertEquals(whole.code(), split.code(), "verdict depends on the reads");
    assertEquals(whole.reason(), split.reason(), "reason depends on the reads");
    if (whole.code() == 0) {
      assertEquals(whole, split);
    } else if (!split.midFrame()) {
      assertEquals(whole.end(), split.end(), "the offending frame starts elsewhere");
    } else {
      assertTrue(split.end() > whole.end(), "the frame began before the last read");
    }
  }

  private static final byte[][] UTF8_SAMPLES = {
    "é".getBytes(StandardCharsets.UTF_8), "€".getBytes(StandardCharsets.UTF_8),
    "😀".getBytes(StandardCharsets.UTF_8), "aé".getBytes(StandardCharsets.UTF_8),
    "ab€".getBytes(StandardCharsets.UTF_8),
  };

  /**
   * Plays the relay: each read appends a random number of bytes behind whatever was not consumed,
   * and the leftover is moved to a random offset of the buffer each time, so the inspector cannot
   * rely on absolute indices across calls.
   */
  static Outcome relay(FrameInspector fi, byte[] s, Random rnd) {
    ByteBuffer buf =
        ByteBuffer.allocateDirect(s.length + 32)
            .order(rnd.nextBoolean() ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN);
    int consumed = 0;
    int read = 0;
    while (true) {
      int chunk =
          Math.min(s.length - read, rnd.nextInt(4) == 0 ? rnd.nextInt(4) : rnd.nextInt(200));
      read += chunk;
      int base = rnd.nextInt(16);
      buf.clear();
      buf.position(base);
      buf.put(s, consumed, read - consumed);
      int end = fi.inspect(buf, base, base + read - consumed);
      if (fi.violationCode() != 0) {
        return Outcome.of(fi, consumed + end - base);
      }
      consumed += end - base;
      if (read == s.length) {
        return Outcome.of(fi, consumed);
      }
    }
  }

  static byte[] validStream(Random rnd, boolean fromClient, boolean deflate) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    int messages = 1 + rnd.nextInt(5);
    for (int m = 0; m < messages; m++) {
      boolean textMessage = rnd.nextBoolean();
      boolean compressed = deflate && rnd.nextInt(3) == 0;
      byte[] payload = textMessage && !compressed ? randomUtf8(rnd) : randomBytes(rnd);
      int fragments = 1 + rnd.nextInt(4);
      int[] cuts = new int[fragments + 1];
      cuts[fragments] = payload.length;
      for (int i = 1; i < fragments; i++) {
        cuts[i] = rnd.nextInt(payload.length + 1);
      }
      Arrays.sort(cuts, 1, fragments);
      for (int i = 0; i < fragments; i++) {
        WireFrame f =
            i == 0
                ? WireFrame.op(textMessage ? 1 : 2)
                    .payload(Arrays.copyOfRange(payload, cuts[i], cuts[i + 1]))
                : WireFrame.continuation(Arrays.copyOfRange(payload, cuts[i], cuts[i + 1]));
        f.fin(i == fragments - 1);
        if (i == 0 && compressed) {
          f.rsv(0x40);
        }
        write(out, f, rnd, fromClient);
        if (rnd.nextInt(4) == 0) {
          write(
              out,
              WireFrame.op(rnd.nextBoolean() ? 0x9 : 0xA).payload(new byte[rnd.nextInt(126)]),
              rnd,
              fromClient);
        }
      }
    }
    if (rnd.nextBoolean()) {
      int[] codes = {1000, 1001, 1003, 1008, 1011, 3000, 4999};
      write(
          out,
          WireFrame.close(codes[rnd.nextInt(codes.length)], rnd.nextBoolean() ? "" : "bye ✓"),
          rnd,
          fromClient);
    }
    return out.toByteArray();
  }

  private static void write(
      ByteArrayOutputStream out, WireFrame f, Random rnd, boolean fromClient) {
    if (fromClient) {
      f.mask(rnd.nextInt());
    }
    byte[] b = f.bytes();
    out.write(b, 0, b.length);
  }

  private static byte[] randomUtf8(Random rnd) {
    StringBuilder sb = new StringBuilder();
    int n = rnd.nextInt(10) == 0 ? 100 + rnd.nextInt(200) : rnd.nextInt(30);
    for (int i = 0; i < n; i++) {
      int cp =
          switch (rnd.nextInt(5)) {
            case 0, 1 -> 0x20 + rnd.nextInt(0x5F);
            case 2 -> 0x80 + rnd.nextInt(0x780);
            case 3 -> 0xE000 + rnd.nextInt(0x2000);
            default -> 0x10000 + rnd.nextInt(0x100000);
          };
      sb.appendCodePoint(cp);
    }
    return sb.toString().getBytes(StandardCharsets.UTF_8);
  }

  private static byte[] randomBytes(Random rnd) {
    byte[] b = new byte[rnd.nextInt(10) == 0 ? 126 + rnd.nextInt(300) : rnd.nextInt(40)];
    rnd.nextBytes(b);
    return b;
  }

  private static byte[] mutate(Random rnd, byte[] s) {
    int edits = 1 + rnd.nextInt(3);
    for (int e = 0; e < edits && s.length > 0; e++) {
      int i = rnd.nextInt(s.length);
      switch (rnd.nextInt(5)) {
        case 0 -> s[i] ^= (byte) (1 << rnd.nextInt(8));
        case 1 -> s[i] = (byte) rnd.nextInt(256);
        case 2 -> {
          byte[] t = new byte[s.length + 1];
          System.arraycopy(s, 0, t, 0, i);
          t[i] = (byte) rnd.nextInt(256);
          System.arraycopy(s, i, t, i + 1, s.length - i);
          s = t;
        }
        case 3 -> {
          byte[] t = new byte[s.length - 1];
          System.arraycopy(s, 0, t, 0, i);
          System.arraycopy(s, i + 1, t, i, s.length - i - 1);
          s = t;
        }
        default -> s = Arrays.copyOf(s, i);
      }
    }
    return s;
  }
}
