package io.wssguard.policy;

/**
 * Limits on one connection's client-to-backend traffic. Any may be null.
 *
 * @param messages data messages and control frames per second
 * @param bytes payload bytes per second
 * @param maxMessageBytes largest message (close: 1009)
 * @param maxFrameBytes largest single frame payload (close: 1009)
 * @param maxFragments most frames in one fragmented message (close: 1008)
 * @param controlFrames ping and pong frames per second (close frames are not limited)
 */
public record PerConnectionLimits(
    RateLimit messages,
    RateLimit bytes,
    CountLimit maxMessageBytes,
    CountLimit maxFrameBytes,
    CountLimit maxFragments,
    RateLimit controlFrames) {
  public static final PerConnectionLimits NONE =
      new PerConnectionLimits(null, null, null, null, null, null);
}
