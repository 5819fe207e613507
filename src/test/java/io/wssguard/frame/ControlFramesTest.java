package io.wssguard.frame;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.BufferOverflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ControlFramesTest {

  /** Frame bytes written at a non-zero position, then read back. */
  private static byte[] written(java.util.function.Consumer<ByteBuffer> writer) {
    ByteBuffer dst = ByteBuffer.allocateDirect(300);
    dst.position(5);
    writer.accept(dst);
    byte[] b = new byte[dst.position() - 5];
    dst.flip().position(5);
    dst.get(b);
    return b;
  }

  /** The payload of a single frame, unmasked. */
  private static byte[] payloadOf(byte[] frame) {
    boolean masked = (frame[1] & 0x80) != 0;
    int len = frame[1] & 0x7F;
    int at = masked ? 6 : 2;
    byte[] p = new byte[len];
    for (int i = 0; i < len; i++) {
      p[i] = (byte) (frame[at + i] ^ (masked ? frame[2 + (i & 3)] : 0));
    }
    return p;
  }

  private static FrameInspector parsedBack(byte[] frame, boolean masked) {
    FrameInspector fi = new FrameInspector(masked, 1 << 20, false);
    assertEquals(
        InspectorRun.OFFSET + frame.length,
        fi.inspect(
            InspectorRun.direct(frame), InspectorRun.OFFSET, InspectorRun.OFFSET + frame.length),
        fi.violationReason());
    assertEquals(0, fi.violationCode(), fi.violationReason());
    return fi;
  }

  @Test
  void writeClose_parsesBackInBothDirections() {
    for (boolean masked : new boolean[] {true, false}) {
      byte[] f = written(dst -> ControlFrames.writeClose(dst, 1008, "policy ✓", masked));
      assertEquals(2 + (masked ? 4 : 0) + 2 + 10, f.length);
      FrameInspector fi = parsedBack(f, masked);
      assertTrue(fi.closeSeen());
      assertEquals(1008, fi.closeCode());
      byte[] p = payloadOf(f);
      assertEquals("policy ✓", new String(p, 2, p.length - 2, StandardCharsets.UTF_8));
    }
  }

  @Test
  void writeClose_truncatesReasonAtUtf8Boundary() {
    String[] reasons = {"é".repeat(100), "😀".repeat(40), "x" + "€".repeat(60), "a".repeat(200)};
    int[] expectedReasonBytes = {122, 120, 121, 123};
    for (int k = 0; k < reasons.length; k++) {
      String reason = reasons[k];
      for (boolean masked : new boolean[] {true, false}) {
        byte[] f = written(dst -> ControlFrames.writeClose(dst, 1009, reason, masked));
        assertTrue(f.length <= ControlFrames.MAX_CLOSE_FRAME_BYTES);
        byte[] p = payloadOf(f);
        assertEquals(2 + expectedReasonBytes[k], p.length, reason);
        String back = new String(p, 2, p.length - 2, StandardCharsets.UTF_8);
        assertTrue(reason.startsWith(back));
        assertEquals(1009, parsedBack(f, masked).closeCode());
      }
    }
  }

  @Test
  void writeClose_replacesLoneSurrogate() {
    byte[] f = written(dst -> ControlFrames.writeClose(dst, 1000, "a\uD800b", false));
    byte[] p = payloadOf(f);
    assertEquals("a\uFFFDb", new String(p, 2, p.length - 2, StandardCharsets.UTF_8));
    parsedBack(f, false);
  }

  @Test
  void writeClose_acceptsNullReason() {
    byte[] f = written(dst -> ControlFrames.writeClose(dst, 1001, null, true));
    assertEquals(8, f.length);
    assertEquals(1001, parsedBack(f, true).closeCode());
  }

  @Test
  void writeClose_rejectsCodeNotAllowedOnWire() {
    for (int code : new int[] {1005, 1006, 1015, 999, 5000}) {
      assertThrows(
          IllegalArgumentException.class,
          () -> ControlFrames.writeClose(ByteBuffer.allocate(200), code, "", false));
    }
  }

  @Test
  void writeClose_writesNothing_whenDestinationTooSmall() {
    ByteBuffer dst = ByteBuffer.allocate(10);
    assertThrows(
        BufferOverflowException.class,
        () -> ControlFrames.writeClose(dst, 1000, "too long here", true));
    assertEquals(0, dst.position());
  }

  @Test
  void writePing_parsesBackInBothDirections() {
    for (boolean masked : new boolean[] {true, false}) {
      byte[] f = written(dst -> ControlFrames.writePing(dst, masked));
      assertEquals(masked ? 6 : 2, f.length);
      assertEquals((byte) 0x89, f[0]);
      FrameInspector fi = parsedBack(f, masked);
      assertEquals(1, fi.frames());
      assertFalse(fi.closeSeen());
    }
  }

  @Test
  void writtenFrames_injectBetweenFragments() {
    ByteBuffer dst = ByteBuffer.allocate(400);
    dst.put(WireFrame.text("part").fin(false).dir(true).bytes());
    ControlFrames.writePing(dst, true);
    dst.put(WireFrame.continuation("two").dir(true).bytes());
    ControlFrames.writeClose(dst, 1001, "going away", true);
    FrameInspector fi = new FrameInspector(true, 1 << 20, false);
    assertEquals(dst.position(), fi.inspect(dst, 0, dst.position()));
    assertEquals(1, fi.messages());
    assertEquals(4, fi.frames());
    assertEquals(1001, fi.closeCode());
  }

  @Test
  void isValidCloseCode_matchesRegisteredRanges() {
    for (int code = -1; code < 70_000; code++) {
      boolean expected =
          (code >= 1000 && code <= 1003)
              || (code >= 1007 && code <= 1014)
              || (code >= 3000 && code <= 4999);
      assertEquals(expected, ControlFrames.isValidCloseCode(code), "code " + code);
    }
  }
}
