package io.wssguard.frame;

/**
 * A policy's say on each frame, asked by {@link FrameInspector} once a frame's header (and, for a
 * control frame, its whole payload) is present and valid, before any of it is consumed.
 * Implementations run on the hot path: a few arithmetic operations, no allocation.
 */
public interface FrameGate {
  /** Relay the frame. */
  int PASS = 0;

  /** Consume the frame (and the rest of its message) without forwarding it. */
  int DROP = 1;

  /** Do not consume it yet; ask again after {@link #throttleNanos()}. */
  int THROTTLE = 2;

  /** Refuse it: the connection ends with {@link #closeCode()}. */
  int CLOSE = 3;

  /**
   * Decides on a frame from its header, before any of its payload is relayed.
   *
   * @param opcode the frame's opcode (0 for continuation)
   * @param payloadLength its declared payload length
   * @param startsMessage whether it is the first frame of a text or binary message
   * @param messageBytesBefore payload bytes of the same message before this frame (0 when it starts
   *     one)
   */
  int onFrame(int opcode, long payloadLength, boolean startsMessage, long messageBytesBefore);

  /** After THROTTLE: how long to wait. */
  long throttleNanos();

  /** After CLOSE: the close code (1008, 1009). */
  int closeCode();

  /** After CLOSE: a short constant reason. */
  String closeReason();
}
