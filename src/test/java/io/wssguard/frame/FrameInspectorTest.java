package io.wssguard.frame;

import static io.wssguard.frame.InspectorRun.OFFSET;
import static io.wssguard.frame.WireFrame.binary;
import static io.wssguard.frame.WireFrame.close;
import static io.wssguard.frame.WireFrame.concat;
import static io.wssguard.frame.WireFrame.continuation;
import static io.wssguard.frame.WireFrame.op;
import static io.wssguard.frame.WireFrame.ping;
import static io.wssguard.frame.WireFrame.text;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.wssguard.frame.InspectorRun.Outcome;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class FrameInspectorTest {

  private static final long MAX = 1 << 20;

  private static FrameInspector inspector(boolean fromClient) {
    return new FrameInspector(fromClient, MAX, false);
  }

  private static byte[] bytes(int... v) {
    byte[] b = new byte[v.length];
    for (int i = 0; i < v.length; i++) {
      b[i] = (byte) v[i];
    }
    return b;
  }

  /** Runs the stream in one call and asserts the violation and where the offending frame starts. */
  private static void assertRefused(FrameInspector fi, byte[] stream, int code, int index) {
    Outcome o = InspectorRun.once(fi, stream);
    assertEquals(code, o.code(), o.reason());
    assertEquals(index, o.end(), "return index");
    assertFalse(o.midFrame());
    assertTrue(o.reason().length() > 0 && o.reason().length() <= 120);
  }

  private static void assertAccepted(FrameInspector fi, byte[] stream) {
    Outcome o = InspectorRun.once(fi, stream);
    assertEquals(0, o.code(), o.reason());
    assertEquals(stream.length, o.end());
  }

  @Test
  void forwardsWholeStream_whenEveryFrameValid() {
    for (boolean c : new boolean[] {true, false}) {
      byte[] s =
          concat(
              text("hello").dir(c),
              binary(new byte[300]).dir(c),
              ping(3).dir(c),
              op(0xA).dir(c),
              close(1000, "bye").dir(c));
      FrameInspector fi = inspector(c);
      assertAccepted(fi, s);
      assertEquals(5, fi.frames());
      assertEquals(2, fi.messages());
      assertEquals(5 + 300 + 3 + 0 + 5, fi.payloadBytes());
      assertTrue(fi.closeSeen());
      assertEquals(1000, fi.closeCode());
      assertEquals("", fi.violationReason());
    }
  }

  @Test
  void closes1002_whenClientFrameUnmasked() {
    byte[] first = text("ok").dir(true).bytes();
    FrameInspector fi = inspector(true);
    assertRefused(fi, concat(first, text("no").bytes()), 1002, first.length);
    assertEquals("unmasked client frame", fi.violationReason());
  }

  @Test
  void closes1002_whenServerFrameMasked() {
    FrameInspector fi = inspector(false);
    assertRefused(fi, ping(0).mask(1).bytes(), 1002, 0);
    assertEquals("masked server frame", fi.violationReason());
  }

  @Test
  void closes1002_whenOpcodeReserved() {
    for (int opcode : new int[] {3, 4, 5, 6, 7, 0xB, 0xC, 0xD, 0xE, 0xF}) {
      assertRefused(inspector(true), op(opcode).dir(true).bytes(), 1002, 0);
      // The first byte alone is enough to refuse it.
      assertRefused(inspector(true), bytes(0x80 | opcode), 1002, 0);
    }
  }

  @Test
  void closes1002_whenRsv2OrRsv3Set() {
    for (boolean deflate : new boolean[] {false, true}) {
      for (int bit : new int[] {0x20, 0x10}) {
        assertRefused(
            new FrameInspector(true, MAX, deflate), text("x").rsv(bit).dir(true).bytes(), 1002, 0);
      }
    }
  }

  @Test
  void closes1002_whenRsv1SetWithoutDeflate() {
    assertRefused(inspector(true), text("x").rsv(0x40).dir(true).bytes(), 1002, 0);
    assertRefused(inspector(false), binary(new byte[2]).rsv(0x40).bytes(), 1002, 0);
  }

  @Test
  void skipsUtf8Check_whenRsv1MessageWithDeflate() {
    FrameInspector fi = new FrameInspector(true, MAX, true);
    byte[] deflated = bytes(0xFF, 0xC0, 0x80, 0xED, 0xA0);
    assertAccepted(
        fi,
        concat(
            text(deflated).rsv(0x40).fin(false).dir(true),
            continuation(bytes(0xFE)).dir(true),
            binary(new byte[4]).rsv(0x40).dir(true)));
    assertEquals(2, fi.messages());
  }

  @Test
  void closes1002_whenRsv1OnContinuationWithDeflate() {
    byte[] first = text("a").rsv(0x40).fin(false).dir(true).bytes();
    assertRefused(
        new FrameInspector(true, MAX, true),
        concat(first, continuation("b").rsv(0x40).dir(true).bytes()),
        1002,
        first.length);
  }

  @Test
  void closes1002_whenRsv1OnControlFrameWithDeflate() {
    FrameInspector fi = new FrameInspector(false, MAX, true);
    assertRefused(fi, ping(1).rsv(0x40).bytes(), 1002, 0);
    assertEquals("RSV1 set on continuation or control frame", fi.violationReason());
  }

  @Test
  void closes1002_whenControlFrameNotFin() {
    assertRefused(inspector(true), ping(1).fin(false).dir(true).bytes(), 1002, 0);
    assertRefused(inspector(false), close(1000, "").fin(false).bytes(), 1002, 0);
  }

  @Test
  void closes1002_whenControlPayloadOver125() {
    assertAccepted(inspector(true), ping(125).dir(true).bytes());
    assertRefused(inspector(true), ping(126).dir(true).bytes(), 1002, 0);
    assertRefused(inspector(false), op(0xA).payload(new byte[200]).lengthForm(64).bytes(), 1002, 0);
    // Decided from the second byte, before the extended length or payload arrive.
    assertRefused(inspector(false), bytes(0x89, 126), 1002, 0);
    assertRefused(inspector(true), bytes(0x88, 0x80 | 127), 1002, 0);
  }

  @Test
  void acceptsControlFrames_betweenFragmentsOfMessage() {
    FrameInspector fi = inspector(true);
    assertAccepted(
        fi,
        concat(
            text("frag").fin(false).dir(true),
            ping(2).dir(true),
            continuation("men").fin(false).dir(true),
            op(0xA).dir(true),
            continuation("ted").dir(true)));
    assertEquals(1, fi.messages());
    assertEquals(5, fi.frames());
    assertFalse(fi.inMessage());
  }

  @Test
  void closes1002_whenContinuationWithoutMessage() {
    assertRefused(inspector(true), continuation("x").dir(true).bytes(), 1002, 0);
    byte[] whole = text("done").dir(true).bytes();
    assertRefused(
        inspector(true), concat(whole, continuation("x").dir(true).bytes()), 1002, whole.length);
  }

  @Test
  void closes1002_whenNewMessageStartsBeforePreviousFinished() {
    byte[] first = concat(text("a").fin(false), ping(0));
    assertRefused(inspector(false), concat(first, binary(new byte[1]).bytes()), 1002, first.length);
    assertRefused(inspector(false), concat(first, text("b").bytes()), 1002, first.length);
  }

  @Test
  void closes1002_when64BitLengthHasHighBitSet() {
    FrameInspector fi = new FrameInspector(false, Long.MAX_VALUE, false);
    assertRefused(fi, binary(new byte[0]).declaredLength(0x8000_0000_0000_0000L).bytes(), 1002, 0);
    assertEquals("64-bit payload length with high bit set", fi.violationReason());
  }

  @Test
  void closes1002_whenLengthNotMinimallyEncoded() {
    assertRefused(inspector(true), binary(new byte[125]).lengthForm(16).dir(true).bytes(), 1002, 0);
    assertRefused(inspector(true), binary(new byte[0]).lengthForm(16).dir(true).bytes(), 1002, 0);
    assertRefused(inspector(false), binary(new byte[126]).lengthForm(64).bytes(), 1002, 0);
    assertRefused(inspector(false), binary(new byte[65535]).lengthForm(64).bytes(), 1002, 0);
    assertAccepted(inspector(true), binary(new byte[126]).lengthForm(16).dir(true).bytes());
    assertAccepted(inspector(false), binary(new byte[65536]).lengthForm(64).bytes());
  }

  @Test
  void closes1009_whenHeaderAnnouncesOversizedPayload() {
    byte[] ok = binary(new byte[1000]).dir(true).bytes();
    byte[] header =
        binary(new byte[0]).declaredLength(1001).dir(true).bytes(); // header only, no payload
    FrameInspector fi = new FrameInspector(true, 1000, false);
    assertRefused(fi, concat(ok, header), 1009, ok.length);
    assertEquals(1, fi.messages());
    // Even without the mask key: the length alone decides.
    assertRefused(new FrameInspector(true, 1000, false), Arrays.copyOf(header, 4), 1009, 0);
    assertRefused(
        new FrameInspector(false, 70_000, false),
        binary(new byte[0]).declaredLength(1L << 40).bytes(),
        1009,
        0);
  }

  @Test
  void closes1009_whenFragmentsTogetherExceedLimit() {
    byte[] first = concat(text("123456").fin(false).dir(true), ping(5).dir(true));
    assertRefused(
        new FrameInspector(true, 10, false),
        concat(first, continuation("12345").dir(true).bytes()),
        1009,
        first.length);
    assertAccepted(
        new FrameInspector(true, 10, false),
        concat(
            first, continuation("1234").dir(true).bytes(), binary(new byte[10]).dir(true).bytes()));
  }

  @Test
  void appliesNewLimit_fromNextHeader() {
    FrameInspector fi = new FrameInspector(false, 100, false);
    byte[] s = concat(binary(new byte[50]), binary(new byte[10]), binary(new byte[11]));
    ByteBuffer buf = InspectorRun.direct(s);
    assertEquals(OFFSET + 20, fi.inspect(buf, OFFSET, OFFSET + 20));
    fi.maxMessageBytes(10);
    assertEquals(OFFSET + 52 + 12, fi.inspect(buf, OFFSET + 20, OFFSET + s.length));
    assertEquals(1009, fi.violationCode());
    assertEquals(2, fi.messages());
  }

  @Test
  void closes1007_whenTextNotUtf8() {
    int[][] bad = {
      {0xC0, 0x80}, {0xED, 0xA0, 0x80}, {0xF4, 0x90, 0x80, 0x80}, {0x80}, {0xFF}, {0xE0, 0x80, 0x80}
    };
    for (int[] seq : bad) {
      byte[] first = text("fine").dir(true).bytes();
      FrameInspector fi = inspector(true);
      assertRefused(
          fi,
          concat(
              first,
              text(concat("abc".getBytes(StandardCharsets.UTF_8), bytes(seq))).dir(true).bytes()),
          1007,
          first.length);
      assertEquals("invalid UTF-8 in text message", fi.violationReason());
    }
  }

  @Test
  void closes1007_whenFinalFrameEndsInsideCodePoint() {
    assertRefused(inspector(false), text(bytes(0x61, 0xE2, 0x82)).bytes(), 1007, 0);
    byte[] first = text(bytes(0xE2, 0x82)).fin(false).bytes();
    FrameInspector fi = inspector(false);
    assertRefused(fi, concat(first, continuation(new byte[0]).bytes()), 1007, first.length);
    assertEquals("text message ends inside a UTF-8 sequence", fi.violationReason());
  }

  @Test
  void acceptsCodePoint_splitAcrossFragmentsAndControlFrames() {
    FrameInspector fi = inspector(true);
    assertAccepted(
        fi,
        concat(
            text(bytes(0xF0)).fin(false).dir(true),
            ping(1).dir(true),
            continuation(bytes(0x9F, 0x98)).fin(false).dir(true),
            op(0xA).dir(true),
            continuation(bytes(0x80, 0x21)).dir(true)));
    assertEquals(1, fi.messages());
  }

  @Test
  void closes1007_whenCodePointSplitAcrossFragmentsIsBroken() {
    byte[] first = concat(text(bytes(0xE2)).fin(false).dir(true), ping(0).dir(true));
    assertRefused(
        inspector(true),
        concat(first, continuation(bytes(0x28)).dir(true).bytes()),
        1007,
        first.length);
  }

  @Test
  void closes1002_whenClosePayloadIsOneByte() {
    FrameInspector fi = inspector(true);
    assertRefused(fi, op(0x8).payload(bytes(3)).dir(true).bytes(), 1002, 0);
    assertFalse(fi.closeSeen());
  }

  @Test
  void closes1002_whenCloseCodeInvalid() {
    for (int code : new int[] {0, 999, 1004, 1005, 1006, 1015, 1016, 2000, 2999, 5000, 65535}) {
      FrameInspector fi = inspector(false);
      assertRefused(fi, close(code, "r").bytes(), 1002, 0);
      assertEquals("invalid close code", fi.violationReason());
      assertFalse(fi.closeSeen());
      assertEquals(0, fi.closeCode());
    }
  }

  @Test
  void acceptsClose_withEveryValidCodeRange() {
    for (int code : new int[] {1000, 1001, 1002, 1003, 1007, 1010, 1014, 3000, 4000, 4999}) {
      FrameInspector fi = inspector(true);
      assertAccepted(fi, close(code, "why ✓").dir(true).bytes());
      assertTrue(fi.closeSeen());
      assertEquals(code, fi.closeCode());
    }
  }

  @Test
  void reportsCode1005_whenCloseHasNoPayload() {
    FrameInspector fi = inspector(true);
    assertEquals(0, fi.closeCode());
    assertAccepted(fi, op(0x8).dir(true).bytes());
    assertTrue(fi.closeSeen());
    assertEquals(1005, fi.closeCode());
  }

  @Test
  void closes1007_whenCloseReasonNotUtf8() {
    byte[] payload = bytes(0x03, 0xE8, 0x61, 0xC3);
    FrameInspector fi = inspector(true);
    assertRefused(fi, op(0x8).payload(payload).dir(true).bytes(), 1007, 0);
    assertEquals("invalid UTF-8 in close reason", fi.violationReason());
  }

  @Test
  void closes1002_whenFrameFollowsClose() {
    byte[] c = close(1000, "").bytes();
    FrameInspector fi = inspector(false);
    assertRefused(fi, concat(c, ping(0).bytes()), 1002, c.length);
    assertEquals("frame after close", fi.violationReason());
    assertTrue(fi.closeSeen());
  }

  @Test
  void holdsBackControlFrame_untilWhole() {
    byte[] data = text("hi").dir(true).bytes();
    byte[] c = close(1000, "going").dir(true).bytes();
    byte[] s = concat(data, c);
    for (int cut = data.length; cut < s.length; cut++) {
      FrameInspector fi = inspector(true);
      ByteBuffer buf = InspectorRun.direct(s);
      assertEquals(OFFSET + data.length, fi.inspect(buf, OFFSET, OFFSET + cut));
      assertEquals(
          OFFSET + data.length,
          fi.inspect(buf, OFFSET + data.length, OFFSET + cut),
          "unchanged on re-presentation");
      assertFalse(fi.closeSeen());
      assertEquals(1, fi.frames());
      assertEquals(OFFSET + s.length, fi.inspect(buf, OFFSET + data.length, OFFSET + s.length));
      assertTrue(fi.closeSeen());
    }
  }

  @Test
  void holdsBackIncompleteHeader() {
    byte[] header = binary(new byte[0]).declaredLength(70_000).dir(true).bytes();
    assertEquals(14, header.length);
    for (int cut = 0; cut < header.length; cut++) {
      FrameInspector fi = inspector(true);
      ByteBuffer buf = InspectorRun.direct(header);
      assertEquals(OFFSET, fi.inspect(buf, OFFSET, OFFSET + cut));
      assertTrue(fi.atFrameBoundary());
      assertEquals(0, fi.violationCode());
    }
  }

  @Test
  void consumesDataHeader_beforePayloadArrives() {
    byte[] s = binary(new byte[500]).dir(true).bytes();
    FrameInspector fi = inspector(true);
    ByteBuffer buf = InspectorRun.direct(s);
    assertEquals(OFFSET + 8, fi.inspect(buf, OFFSET, OFFSET + 8));
    assertFalse(fi.atFrameBoundary());
    assertEquals(0, fi.frames());
    assertEquals(OFFSET + 100, fi.inspect(buf, OFFSET + 8, OFFSET + 100));
    assertEquals(92, fi.payloadBytes());
    assertEquals(OFFSET + s.length, fi.inspect(buf, OFFSET + 100, OFFSET + s.length));
    assertTrue(fi.atFrameBoundary());
    assertEquals(1, fi.frames());
    assertEquals(500, fi.payloadBytes());
  }

  @Test
  void reportsMidFrame_whenBadByteArrivesInLaterCall() {
    byte[] s = text(bytes(0x61, 0x62, 0x63, 0xFF, 0x64)).dir(true).bytes();
    FrameInspector fi = inspector(true);
    ByteBuffer buf = InspectorRun.direct(s);
    assertEquals(OFFSET + 9, fi.inspect(buf, OFFSET, OFFSET + 9));
    assertEquals(OFFSET + 9, fi.inspect(buf, OFFSET + 9, OFFSET + s.length));
    assertEquals(1007, fi.violationCode());
    assertTrue(fi.violationMidFrame());
  }

  @Test
  void reportsMidFrame_whenFinalByteOfTextFrameArrivesLaterAndTruncatesCodePoint() {
    byte[] s = text(bytes(0x61, 0xE2, 0x82)).bytes();
    FrameInspector fi = inspector(false);
    ByteBuffer buf = InspectorRun.direct(s);
    assertEquals(OFFSET + 3, fi.inspect(buf, OFFSET, OFFSET + 3));
    assertEquals(OFFSET + 3, fi.inspect(buf, OFFSET + 3, OFFSET + s.length));
    assertEquals(1007, fi.violationCode());
    assertTrue(fi.violationMidFrame());
  }

  @Test
  void reportsNotMidFrame_whenOffendingFrameStartedInThisCall() {
    byte[] first = text("ok").bytes();
    byte[] s = concat(first, text(bytes(0xFF)).bytes());
    FrameInspector fi = inspector(false);
    ByteBuffer buf = InspectorRun.direct(s);
    assertEquals(OFFSET + 3, fi.inspect(buf, OFFSET, OFFSET + 3));
    assertEquals(OFFSET + first.length, fi.inspect(buf, OFFSET + 3, OFFSET + s.length));
    assertEquals(1007, fi.violationCode());
    assertFalse(fi.violationMidFrame());
  }

  @Test
  void changesNothing_afterViolation() {
    FrameInspector fi = inspector(true);
    byte[] s = concat(text("a").dir(true).bytes(), text("b").bytes());
    InspectorRun.once(fi, s);
    Outcome before = Outcome.of(fi, 0);
    ByteBuffer buf = InspectorRun.direct(text("c").dir(true).bytes());
    assertEquals(OFFSET, fi.inspect(buf, OFFSET, buf.limit() - 9));
    assertEquals(before, Outcome.of(fi, 0));
  }

  @Test
  void tracksBoundaryAndMessageState_frameByFrame() {
    WireFrame[] frames = {
      text("ab").fin(false),
      ping(1),
      continuation("cd").fin(false),
      continuation("ef"),
      binary(new byte[3])
    };
    boolean[] inMessageAfter = {true, true, true, false, false};
    FrameInspector fi = inspector(false);
    assertTrue(fi.atFrameBoundary());
    assertFalse(fi.inMessage());
    for (int i = 0; i < frames.length; i++) {
      byte[] f = frames[i].bytes();
      ByteBuffer buf = InspectorRun.direct(f);
      // Header and one payload byte: mid-frame for data frames, held back for the ping.
      int end = fi.inspect(buf, OFFSET, OFFSET + 3);
      boolean control = i == 1;
      assertEquals(control, fi.atFrameBoundary(), "frame " + i);
      assertEquals(OFFSET + f.length, fi.inspect(buf, end, OFFSET + f.length));
      assertTrue(fi.atFrameBoundary(), "frame " + i);
      assertEquals(inMessageAfter[i], fi.inMessage(), "frame " + i);
      assertEquals(i + 1, fi.frames());
    }
    assertEquals(2, fi.messages());
    assertEquals(2 + 1 + 2 + 2 + 3, fi.payloadBytes());
  }

  @Test
  void sameOutcome_atEverySplit_ofValidStreams() {
    byte[][] streams = {
      text("h€llo 😀 wörld, long enough for words").dir(true).bytes(),
      binary(new byte[70_000]).lengthForm(64).dir(false).bytes(),
      concat(
          text(bytes(0xE2, 0x82)).fin(false).dir(true),
          ping(3).dir(true),
          continuation(bytes(0xAC)).dir(true),
          close(4000, "bye ✓").dir(true)),
    };
    boolean[] dir = {true, false, true};
    for (int k = 0; k < streams.length; k++) {
      byte[] s = streams[k];
      boolean c = dir[k];
      Outcome whole = InspectorRun.once(inspector(c), s);
      assertEquals(0, whole.code());
      int step = s.length > 1000 ? 997 : 1;
      for (int i = 0; i <= s.length; i += step) {
        assertEquals(whole, InspectorRun.split(inspector(c), s, i), "cut " + i);
      }
      if (s.length < 200) {
        for (int i = 0; i <= s.length; i++) {
          for (int j = i; j <= s.length; j++) {
            assertEquals(whole, InspectorRun.split(inspector(c), s, i, j), "cuts " + i + "," + j);
          }
        }
      }
    }
  }

  @Test
  void sameViolation_atEverySplit() {
    byte[] prefix = concat(text("€").fin(false).dir(true), ping(2).dir(true));
    byte[][] streams = {
      concat(
          prefix,
          binary(new byte[0]).declaredLength(5000).dir(true).bytes()), // 1002 interleaved binary
      concat(prefix, continuation(new byte[0]).declaredLength(5000).dir(true).bytes()), // 1009
      concat(prefix, continuation(bytes(0x61, 0xF4, 0x90)).dir(true).bytes()), // 1007
      concat(prefix, close(1006, "x").dir(true).bytes()), // 1002 close code
      concat(prefix, op(0x8).payload(bytes(0x03, 0xE8, 0xC3)).dir(true).bytes()), // 1007 reason
      concat(prefix, continuation("x").bytes()), // 1002 unmasked
    };
    int[] codes = {1002, 1009, 1007, 1002, 1007, 1002};
    for (int k = 0; k < streams.length; k++) {
      byte[] s = streams[k];
      Outcome whole = InspectorRun.once(new FrameInspector(true, 1000, false), s);
      assertEquals(codes[k], whole.code(), whole.reason());
      assertEquals(prefix.length, whole.end());
      for (int i = 0; i <= s.length; i++) {
        Outcome o = InspectorRun.split(new FrameInspector(true, 1000, false), s, i);
        assertEquals(whole.code(), o.code(), "stream " + k + " cut " + i);
        assertEquals(whole.reason(), o.reason());
        if (o.midFrame()) {
          assertTrue(codes[k] == 1007 && i > prefix.length, "stream " + k + " cut " + i);
          assertTrue(o.end() > prefix.length, "returns from, past the frame start");
        } else {
          assertEquals(prefix.length, o.end(), "stream " + k + " cut " + i);
        }
      }
    }
  }

  @Test
  void findsBadByte_atEveryOffsetAndMaskPhase_throughWordFastPath() {
    for (ByteOrder order : new ByteOrder[] {ByteOrder.BIG_ENDIAN, ByteOrder.LITTLE_ENDIAN}) {
      for (boolean c : new boolean[] {true, false}) {
        for (int at = 0; at < 40; at++) {
          byte[] good = "abcdefghijklmnopqrstuvwxyz0123456789ABCD".getBytes(StandardCharsets.UTF_8);
          byte[] withEuro =
              concat(
                  Arrays.copyOf(good, at),
                  "€".getBytes(StandardCharsets.UTF_8),
                  Arrays.copyOfRange(good, at, good.length));
          byte[] bad = good.clone();
          bad[at] = (byte) 0x80;
          assertEquals(
              0, heap(c, order, text(withEuro).dir(c).bytes()).violationCode(), "at " + at);
          FrameInspector fi = heap(c, order, text(bad).dir(c).bytes());
          assertEquals(1007, fi.violationCode(), "at " + at);
        }
      }
    }
  }

  @Test
  void findsBadByte_afterMultibytePrefix_forEveryKeyHighBit() {
    // A multi-byte prefix moves the mask phase off zero before the word loop resumes.
    String[] prefixes = {"", "é", "€", "😀", "aé", "€é"};
    int[] keys = {0x37FA213D, 0x80000000, 0x00800000, 0x00008000, 0x00000080, 0xFFFFFFFF, 0};
    byte[] ascii = "abcdefghijklmnopqrstuvwxyz0123456789".getBytes(StandardCharsets.UTF_8);
    for (ByteOrder order : new ByteOrder[] {ByteOrder.BIG_ENDIAN, ByteOrder.LITTLE_ENDIAN}) {
      for (String prefix : prefixes) {
        byte[] pre = prefix.getBytes(StandardCharsets.UTF_8);
        for (int key : keys) {
          boolean c = key != 0;
          for (int at = 0; at < ascii.length; at++) {
            for (int badByte : new int[] {0x80, 0xC3, 0xFF}) {
              byte[] bad = ascii.clone();
              bad[at] = (byte) badByte;
              WireFrame f = text(concat(pre, bad));
              FrameInspector fi = heap(c, order, (c ? f.mask(key) : f).bytes());
              String where =
                  prefix + " key " + Integer.toHexString(key) + " at " + at + " " + order;
              // 0xC3 followed by ASCII is invalid too, except as the last byte (then truncated).
              assertEquals(1007, fi.violationCode(), where);
            }
            WireFrame ok = text(concat(pre, ascii));
            assertEquals(0, heap(c, order, (c ? ok.mask(key) : ok).bytes()).violationCode());
          }
        }
      }
    }
  }

  private static FrameInspector heap(boolean fromClient, ByteOrder order, byte[] s) {
    ByteBuffer buf = ByteBuffer.allocate(s.length + 5).order(order);
    buf.position(3);
    buf.put(s);
    FrameInspector fi = inspector(fromClient);
    int end = fi.inspect(buf, 3, 3 + s.length);
    assertEquals(fi.violationCode() == 0 ? 3 + s.length : 3, end);
    return fi;
  }

  @Test
  void allocatesNothing_onHotPath() {
    java.lang.management.ThreadMXBean mx = ManagementFactory.getThreadMXBean();
    assumeTrue(mx instanceof com.sun.management.ThreadMXBean);
    com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) mx;
    assumeTrue(
        threads.isThreadAllocatedMemorySupported() && threads.isThreadAllocatedMemoryEnabled());
    byte[] s =
        concat(
            text("héllo wörld, a text long enough to use the word loop ✓").fin(false).dir(true),
            ping(10).dir(true),
            continuation("😀 more").dir(true),
            binary(new byte[300]).dir(true),
            close(1000, "bye").dir(true));
    ByteBuffer buf = InspectorRun.direct(s);
    FrameInspector[] pool = new FrameInspector[2_000];
    for (int i = 0; i < pool.length; i++) {
      pool[i] = inspector(true);
    }
    for (int i = 0; i < 1_000; i++) { // warm up
      FrameInspector fi = pool[i];
      int end = fi.inspect(buf, OFFSET, OFFSET + 20);
      fi.inspect(buf, end, OFFSET + s.length);
    }
    long tid = Thread.currentThread().getId();
    long before = threads.getThreadAllocatedBytes(tid);
    for (int i = 1_000; i < pool.length; i++) {
      FrameInspector fi = pool[i];
      int end = fi.inspect(buf, OFFSET, OFFSET + 20);
      fi.inspect(buf, end, OFFSET + s.length);
    }
    long allocated = threads.getThreadAllocatedBytes(tid) - before;
    assertTrue(pool[pool.length - 1].closeSeen());
    // 2000 calls; anything per call would show up as tens of kilobytes.
    assertTrue(allocated < 4096, "allocated " + allocated + " bytes");
  }

  @Test
  void leavesBufferUntouched() {
    byte[] s = concat(text("touch me not €").dir(true), close(1000, "x").dir(true));
    ByteBuffer buf = InspectorRun.direct(s);
    buf.position(2).limit(OFFSET + s.length + 1);
    byte[] before = new byte[buf.capacity()];
    buf.duplicate().clear().get(before);
    inspector(true).inspect(buf, OFFSET, OFFSET + s.length);
    byte[] after = new byte[buf.capacity()];
    buf.duplicate().clear().get(after);
    assertEquals(2, buf.position());
    assertEquals(OFFSET + s.length + 1, buf.limit());
    assertTrue(Arrays.equals(before, after));
  }

  @Test
  void skipsBinaryPayload_withoutReadingIt() {
    FrameInspector fi = new FrameInspector(false, Long.MAX_VALUE, false);
    byte[] header = binary(new byte[0]).declaredLength(1L << 40).bytes();
    ByteBuffer buf = ByteBuffer.allocateDirect(1 << 16);
    buf.put(header);
    assertEquals(1 << 16, fi.inspect(buf, 0, 1 << 16));
    assertEquals((1 << 16) - header.length, fi.payloadBytes());
    assertFalse(fi.atFrameBoundary());
  }
}
