package io.wssguard.traffic;

import io.wssguard.frame.FrameTap;

/**
 * The recording of one connection: a {@link FrameTap} per direction and its end. Made once per
 * recorded connection; each frame then costs one ring offer.
 */
public final class ConnectionTap {
  private final TrafficRecorder recorder;
  private final long conn;
  private final FrameTap fromClient;
  private final FrameTap fromBackend;
  private boolean ended;

  ConnectionTap(TrafficRecorder recorder, long conn) {
    this.recorder = recorder;
    this.conn = conn;
    this.fromClient =
        (opcode, len, fin, rsv1) -> recorder.frame(conn, flags(0, opcode, fin, rsv1), len);
    this.fromBackend =
        (opcode, len, fin, rsv1) ->
            recorder.frame(conn, flags(TrafficFormat.FROM_BACKEND, opcode, fin, rsv1), len);
  }

  private static int flags(int direction, int opcode, boolean fin, boolean rsv1) {
    return direction | (fin ? TrafficFormat.FIN : 0) | (rsv1 ? TrafficFormat.RSV1 : 0) | opcode;
  }

  public FrameTap fromClient() {
    return fromClient;
  }

  public FrameTap fromBackend() {
    return fromBackend;
  }

  /**
   * The connection ended; {@code who} closed it first ({@link TrafficRecorder#CLOSED_BY_CLIENT},
   * ...), with {@code code} (1006 when without a close frame). Only the first call counts.
   */
  public void ended(int who, int code) {
    if (!ended) {
      ended = true;
      recorder.end(conn, who, code);
    }
  }
}
