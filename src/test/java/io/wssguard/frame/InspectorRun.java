package io.wssguard.frame;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Drives a FrameInspector over a byte stream the way the relay does: the stream sits at an offset
 * in a direct buffer, reads end at the given cut points, and each call starts where the previous
 * one stopped consuming.
 */
final class InspectorRun {

  static final int OFFSET = 7;

  /** What a run ended with; indices are relative to the stream's first byte. */
  record Outcome(
      int end,
      int code,
      String reason,
      boolean midFrame,
      boolean atBoundary,
      boolean inMessage,
      boolean closeSeen,
      int closeCode,
      long messages,
      long frames,
      long payloadBytes) {

    static Outcome of(FrameInspector fi, int end) {
      return new Outcome(
          end,
          fi.violationCode(),
          fi.violationReason(),
          fi.violationMidFrame(),
          fi.atFrameBoundary(),
          fi.inMessage(),
          fi.closeSeen(),
          fi.closeCode(),
          fi.messages(),
          fi.frames(),
          fi.payloadBytes());
    }
  }

  private InspectorRun() {}

  static ByteBuffer direct(byte[] stream) {
    return direct(stream, ByteOrder.BIG_ENDIAN);
  }

  static ByteBuffer direct(byte[] stream, ByteOrder order) {
    ByteBuffer buf = ByteBuffer.allocateDirect(OFFSET + stream.length + 9).order(order);
    buf.position(OFFSET);
    buf.put(stream);
    buf.clear();
    return buf;
  }

  static Outcome once(FrameInspector fi, byte[] stream) {
    return once(fi, stream, ByteOrder.BIG_ENDIAN);
  }

  static Outcome once(FrameInspector fi, byte[] stream, ByteOrder order) {
    ByteBuffer buf = direct(stream, order);
    int end = fi.inspect(buf, OFFSET, OFFSET + stream.length);
    return Outcome.of(fi, end - OFFSET);
  }

  /** Presents the stream in reads ending at each (ascending, relative) cut, then the rest. */
  static Outcome split(FrameInspector fi, byte[] stream, int... cuts) {
    return split(fi, stream, ByteOrder.BIG_ENDIAN, cuts);
  }

  static Outcome split(FrameInspector fi, byte[] stream, ByteOrder order, int... cuts) {
    ByteBuffer buf = direct(stream, order);
    int pos = OFFSET;
    for (int cut : cuts) {
      int end = fi.inspect(buf, pos, OFFSET + cut);
      if (fi.violationCode() != 0) {
        return Outcome.of(fi, end - OFFSET);
      }
      pos = end;
    }
    int end = fi.inspect(buf, pos, OFFSET + stream.length);
    return Outcome.of(fi, end - OFFSET);
  }
}
