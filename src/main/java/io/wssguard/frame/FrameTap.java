package io.wssguard.frame;

/**
 * Sees the header of every frame {@link FrameInspector} consumes (relayed or dropped by the gate),
 * for recording traffic metadata. Never sees payload. Runs on the hot path: implementations copy a
 * few primitives and return.
 */
@FunctionalInterface
public interface FrameTap {
  /**
   * A frame was consumed.
   *
   * @param opcode its opcode (0 for continuation)
   * @param payloadLength its declared payload length
   * @param fin whether it is the last frame of its message
   * @param rsv1 whether RSV1 (compressed, RFC 7692) is set
   */
  void frame(int opcode, long payloadLength, boolean fin, boolean rsv1);
}
