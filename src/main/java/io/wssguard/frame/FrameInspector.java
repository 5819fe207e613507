package io.wssguard.frame;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Verifies one direction of a WebSocket connection (RFC 6455 section 5) while the relay copies its
 * bytes through unchanged. The relay asks "how far may I forward?", never "give me frames": the
 * inspector reads the buffer in place, never writes to it and never re-encodes.
 *
 * <p>Shape. Between frames the inspector holds no partial header: a header is parsed from scratch
 * each time it is presented and consumed only once complete (at most 2+8+4 bytes), so an incomplete
 * one simply stays in the caller's buffer. Every header rule is checked as soon as the byte
 * carrying it is present, in byte order, so the first violation found is the same however the
 * stream is split into reads. Data payload is then consumed as it arrives; control frames (section
 * 5.5, at most 125 bytes of payload) are consumed only whole, so a close frame's code and reason
 * are checked before any of it is forwarded.
 *
 * <p>Rules: opcodes and reserved bits (5.2; RFC 7692 section 6 for RSV1 with permessage-deflate:
 * first frame of a data message only), masking by direction (5.1, 5.3), minimal length encoding and
 * the 64-bit high bit (5.2), control frames unfragmented and short (5.5), fragmentation order
 * (5.4), close payload shape and code (5.5.1, 7.4), text payload UTF-8 (5.6, 8.1) across fragments
 * and reads, nothing after a close (5.5.1), plus the policy's message size limit, decided from the
 * header before any payload is forwarded.
 *
 * <p>Hot path. Binary and compressed payload is skipped by length. Text payload is unmasked on the
 * fly and fed to Utf8Validator; while it sits between code points, eight bytes are tested at a time
 * against the high bits, unmasked with the key rotated to the current payload offset. Violations
 * are reported through fields (code, constant reason) rather than exceptions, and nothing is
 * allocated after construction.
 *
 * <p>Not thread-safe: one instance per direction, used by the thread that owns the connection.
 */
public final class FrameInspector {

  private static final int OP_CONTINUATION = 0x0;
  private static final int OP_TEXT = 0x1;
  private static final int OP_BINARY = 0x2;
  private static final int OP_CLOSE = 0x8;
  private static final int OP_PONG = 0xA;
  private static final int MAX_CONTROL_PAYLOAD = 125;
  private static final long HIGH_BITS = 0x8080808080808080L;

  private static final int PROTOCOL_ERROR = CloseCodes.PROTOCOL_ERROR;
  private static final int INVALID_PAYLOAD = CloseCodes.INVALID_PAYLOAD;
  private static final int MESSAGE_TOO_BIG = CloseCodes.MESSAGE_TOO_BIG;

  private static final String AFTER_CLOSE = "frame after close";
  private static final String RESERVED_OPCODE = "reserved opcode";
  private static final String RSV23 = "RSV2 or RSV3 set";
  private static final String RSV1_NOT_NEGOTIATED = "RSV1 set without permessage-deflate";
  private static final String RSV1_MISPLACED = "RSV1 set on continuation or control frame";
  private static final String CONTROL_FRAGMENTED = "fragmented control frame";
  private static final String CONTINUATION_WITHOUT_MESSAGE =
      "continuation frame without a message in progress";
  private static final String MESSAGE_NOT_FINISHED =
      "new data frame before previous message finished";
  private static final String UNMASKED = "unmasked client frame";
  private static final String MASKED = "masked server frame";
  private static final String CONTROL_TOO_LONG = "control frame payload over 125 bytes";
  private static final String LENGTH_NOT_MINIMAL = "payload length not minimally encoded";
  private static final String LENGTH_HIGH_BIT = "64-bit payload length with high bit set";
  private static final String TOO_BIG = "message exceeds size limit";
  private static final String TEXT_NOT_UTF8 = "invalid UTF-8 in text message";
  private static final String TEXT_TRUNCATED = "text message ends inside a UTF-8 sequence";
  private static final String CLOSE_ONE_BYTE = "close payload of one byte";
  private static final String CLOSE_CODE = "invalid close code";
  private static final String CLOSE_REASON = "invalid UTF-8 in close reason";

  private final boolean fromClient;
  private final boolean permessageDeflate;
  private long maxMessageBytes;

  private int violationCode;
  private String violationReason = "";
  private boolean violationMidFrame;
  private boolean violationByGate;

  // The data frame whose header has been consumed and whose payload has not all been.
  private boolean inPayload;
  private long remaining;
  private int mask;
  private int maskPhase;
  private boolean frameFin;

  // The data message in progress.
  private boolean messageOpen;
  private boolean messageText;
  private long messageBytes;
  private int utf8State = Utf8Validator.ACCEPT;

  private FrameGate gate;
  private FrameTap tap;
  // Policy outcomes: the frame in payload is being dropped; the message in progress is being
  // dropped; the bytes
  // returned by the last inspect() call are to be dropped, not forwarded; the last call stopped for
  // a throttle.
  private boolean frameDropped;
  private boolean messageDropped;
  private boolean regionDropped;
  private boolean throttled;

  private boolean closeSeen;
  private int closeCode;
  private long messages;
  private long frames;
  private long payloadBytes;

  /**
   * @param fromClient true: client-to-server direction (every frame must be masked); false:
   *     server-to-client (no frame may be masked)
   * @param maxMessageBytes largest message (sum of the payloads of its frames) allowed; a data
   *     frame header that would exceed it is refused at once with 1009
   * @param permessageDeflate whether RSV1 is allowed (on the first frame of a text or binary
   *     message only)
   */
  public FrameInspector(boolean fromClient, long maxMessageBytes, boolean permessageDeflate) {
    this.fromClient = fromClient;
    this.permessageDeflate = permessageDeflate;
    maxMessageBytes(maxMessageBytes);
  }

  /**
   * Lets a policy decide on every frame of this direction (see {@link FrameGate}); null for none.
   */
  public void gate(FrameGate gate) {
    this.gate = gate;
  }

  /** Tells {@code tap} about every frame consumed in this direction; null for none. */
  public void tap(FrameTap tap) {
    this.tap = tap;
  }

  /** Changes the message size limit; it applies from the next frame header. */
  public void maxMessageBytes(long max) {
    if (max < 0) {
      throw new IllegalArgumentException("maxMessageBytes: " + max + " (expected: >= 0)");
    }
    this.maxMessageBytes = max;
  }

  /**
   * Walks the frames in {@code buf[from, to)} (absolute indices; the buffer's position, limit and
   * contents are not changed, but {@code to} must not exceed its limit).
   *
   * @return {@code end}, with {@code from <= end <= to}: bytes {@code [from, end)} are verified and
   *     may be forwarded now; bytes {@code [end, to)} were not consumed (an incomplete frame header
   *     or an incomplete control frame) and must be presented again, at the start of the next call,
   *     followed by newly read bytes. On a violation, the index where the offending frame starts if
   *     it started within {@code [from, to)}, else {@code from} (and {@link #violationMidFrame()}
   *     is true). After a violation, {@code from}.
   */
  public int inspect(ByteBuffer buf, int from, int to) {
    if (from < 0 || from > to || to > buf.limit()) {
      throw new IndexOutOfBoundsException(
          "inspect [" + from + ", " + to + ") of limit " + buf.limit());
    }
    if (violationCode != 0) {
      return from;
    }
    int p = from;
    int frameStart = inPayload ? -1 : from; // -1: the current frame began in an earlier call
    throttled = false;
    regionDropped = inPayload && frameDropped;
    while (p < to) {
      if (inPayload) {
        int n = (int) Math.min(remaining, (long) (to - p));
        if (messageText && !frameDropped && !scanText(buf, p, p + n)) {
          violate(INVALID_PAYLOAD, TEXT_NOT_UTF8);
          return failedFrameStart(frameStart, from);
        }
        p += n;
        remaining -= n;
        payloadBytes += n;
        maskPhase = (maskPhase + n) & 3;
        if (remaining == 0) {
          inPayload = false;
          if (!completeDataFrame()) {
            return failedFrameStart(frameStart, from);
          }
        }
        continue;
      }
      frameStart = p;
      int next = header(buf, p, to, p == from);
      if (next < 0) {
        return p;
      }
      if (next == p) {
        break;
      }
      p = next;
    }
    return p;
  }

  /**
   * Checks and, when complete, consumes the frame header at {@code p} (and a whole control frame).
   * Returns the index after what was consumed, {@code p} if more bytes are needed, or -1 after
   * recording a violation. No state changes unless something is consumed.
   */
  private int header(ByteBuffer buf, int p, int to, boolean firstInCall) {
    int b0 = buf.get(p) & 0xFF;
    int opcode = b0 & 0x0F;
    boolean fin = (b0 & 0x80) != 0;
    boolean rsv1 = (b0 & 0x40) != 0;
    boolean control = (opcode & 0x08) != 0;
    boolean startsMessage = opcode == OP_TEXT || opcode == OP_BINARY;
    if (closeSeen) {
      return violate(PROTOCOL_ERROR, AFTER_CLOSE);
    }
    if ((opcode > OP_BINARY && opcode < OP_CLOSE) || opcode > OP_PONG) {
      return violate(PROTOCOL_ERROR, RESERVED_OPCODE);
    }
    if ((b0 & 0x30) != 0) {
      return violate(PROTOCOL_ERROR, RSV23);
    }
    if (rsv1 && !(permessageDeflate && startsMessage)) {
      return violate(PROTOCOL_ERROR, permessageDeflate ? RSV1_MISPLACED : RSV1_NOT_NEGOTIATED);
    }
    if (control && !fin) {
      return violate(PROTOCOL_ERROR, CONTROL_FRAGMENTED);
    }
    if (opcode == OP_CONTINUATION && !messageOpen) {
      return violate(PROTOCOL_ERROR, CONTINUATION_WITHOUT_MESSAGE);
    }
    if (startsMessage && messageOpen) {
      return violate(PROTOCOL_ERROR, MESSAGE_NOT_FINISHED);
    }
    if (to - p < 2) {
      return p;
    }
    int b1 = buf.get(p + 1) & 0xFF;
    boolean masked = (b1 & 0x80) != 0;
    if (masked != fromClient) {
      return violate(PROTOCOL_ERROR, fromClient ? UNMASKED : MASKED);
    }
    int len7 = b1 & 0x7F;
    int at = p + 2;
    long len;
    if (len7 < 126) {
      len = len7;
      if (control && len > MAX_CONTROL_PAYLOAD) {
        return violate(PROTOCOL_ERROR, CONTROL_TOO_LONG);
      }
    } else if (control) {
      return violate(PROTOCOL_ERROR, CONTROL_TOO_LONG);
    } else if (len7 == 126) {
      if (to - at < 2) {
        return p;
      }
      len = ((long) (buf.get(at) & 0xFF) << 8) | (buf.get(at + 1) & 0xFF);
      if (len < 126) {
        return violate(PROTOCOL_ERROR, LENGTH_NOT_MINIMAL);
      }
      at += 2;
    } else {
      if (to - at < 8) {
        return p;
      }
      len = 0;
      for (int i = 0; i < 8; i++) {
        len = (len << 8) | (buf.get(at + i) & 0xFF);
      }
      if (len < 0) {
        return violate(PROTOCOL_ERROR, LENGTH_HIGH_BIT);
      }
      if (len <= 0xFFFF) {
        return violate(PROTOCOL_ERROR, LENGTH_NOT_MINIMAL);
      }
      at += 8;
    }
    long sofar = opcode == OP_CONTINUATION ? messageBytes : 0;
    // Without a gate the length alone decides, before the mask key arrives; with one, the gate's
    // own size limit
    // (and its strike) is asked first, once the header is whole, and this limit is checked right
    // after it.
    if (gate == null && !control && len > maxMessageBytes - sofar) {
      return violate(MESSAGE_TOO_BIG, TOO_BIG); // both terms are non-negative: no overflow
    }
    int key = 0;
    if (masked) {
      if (to - at < 4) {
        return p;
      }
      key =
          ((buf.get(at) & 0xFF) << 24)
              | ((buf.get(at + 1) & 0xFF) << 16)
              | ((buf.get(at + 2) & 0xFF) << 8)
              | (buf.get(at + 3) & 0xFF);
      at += 4;
    }
    if (control) {
      int n = (int) len;
      if (to - at < n) {
        return p;
      }
      boolean drop = false;
      if (gate != null && opcode != OP_CLOSE) {
        int verdict = gate.onFrame(opcode, len, false, 0);
        if (verdict == FrameGate.THROTTLE || verdict == FrameGate.CLOSE) {
          return refuse(verdict, p);
        }
        drop = verdict == FrameGate.DROP;
      }
      if (!regionMatches(drop, firstInCall)) {
        return p;
      }
      if (opcode == OP_CLOSE && !checkClose(buf, at, n, key)) {
        return -1;
      }
      frames++;
      payloadBytes += n;
      if (tap != null) {
        tap.frame(opcode, len, true, false);
      }
      return at + n;
    }
    boolean drop = opcode == OP_CONTINUATION && messageDropped;
    if (gate != null && !drop) {
      int verdict = gate.onFrame(opcode, len, startsMessage, sofar);
      if (verdict == FrameGate.THROTTLE || verdict == FrameGate.CLOSE) {
        return refuse(verdict, p);
      }
      drop = verdict == FrameGate.DROP;
    }
    if (!drop && len > maxMessageBytes - sofar) {
      return violate(MESSAGE_TOO_BIG, TOO_BIG);
    }
    if (!regionMatches(drop, firstInCall)) {
      return p;
    }
    frameDropped = drop;
    if (startsMessage || drop) {
      messageDropped = drop;
    }
    if (startsMessage) {
      messageText = opcode == OP_TEXT && !rsv1;
      messageBytes = 0;
      utf8State = Utf8Validator.ACCEPT;
    }
    messageBytes += len;
    if (!fin) {
      messageOpen = true;
    }
    frameFin = fin;
    mask = key;
    maskPhase = 0;
    remaining = len;
    inPayload = len > 0;
    if (tap != null) {
      tap.frame(opcode, len, fin, rsv1);
    }
    if (len == 0 && !completeDataFrame()) {
      return -1;
    }
    return at;
  }

  /**
   * Whether a frame that is (or is not) to be dropped may join the bytes of this call: one call
   * returns either bytes to forward or bytes to drop, never both. The first frame of a call sets
   * the kind.
   */
  private boolean regionMatches(boolean drop, boolean firstInCall) {
    if (firstInCall) {
      regionDropped = drop;
      return true;
    }
    return regionDropped == drop;
  }

  /**
   * The gate refused the frame at {@code p}: stop before it (throttle) or end the connection
   * (close).
   */
  private int refuse(int verdict, int p) {
    if (verdict == FrameGate.THROTTLE) {
      throttled = true;
      return p;
    }
    violationByGate = true;
    return violate(gate.closeCode(), gate.closeReason());
  }

  /**
   * Bookkeeping at the last byte of a data frame; false (violation recorded) if the text ends mid
   * code point.
   */
  private boolean completeDataFrame() {
    frames++;
    if (frameFin) {
      messageDropped = false;
      if (messageText && !frameDropped && utf8State != Utf8Validator.ACCEPT) {
        violate(INVALID_PAYLOAD, TEXT_TRUNCATED);
        return false;
      }
      messages++;
      messageOpen = false;
      messageBytes = 0;
    }
    return true;
  }

  /** Close frame payload (sections 5.5.1 and 7.4): empty, or a valid code and a UTF-8 reason. */
  private boolean checkClose(ByteBuffer buf, int at, int n, int key) {
    if (n == 0) {
      closeSeen = true;
      closeCode = CloseCodes.NO_STATUS;
      return true;
    }
    if (n == 1) {
      violate(PROTOCOL_ERROR, CLOSE_ONE_BYTE);
      return false;
    }
    int code = (unmasked(buf, at, 0, key) << 8) | unmasked(buf, at + 1, 1, key);
    if (!ControlFrames.isValidCloseCode(code)) {
      violate(PROTOCOL_ERROR, CLOSE_CODE);
      return false;
    }
    int state = Utf8Validator.ACCEPT;
    for (int i = 2; i < n; i++) {
      state = Utf8Validator.step(state, unmasked(buf, at + i, i, key));
    }
    if (state != Utf8Validator.ACCEPT) {
      violate(INVALID_PAYLOAD, CLOSE_REASON);
      return false;
    }
    closeSeen = true;
    closeCode = code;
    return true;
  }

  /**
   * Feeds text payload bytes {@code [p, end)} to the UTF-8 automaton, unmasking with the current
   * key and phase. Returns false at the first invalid byte.
   */
  private boolean scanText(ByteBuffer buf, int p, int end) {
    int state = utf8State;
    int phase = maskPhase;
    int key = mask;
    boolean bigEndian = buf.order() == ByteOrder.BIG_ENDIAN;
    long key64 = ((long) key << 32) | (key & 0xFFFFFFFFL);
    while (p < end) {
      if (state == Utf8Validator.ACCEPT) {
        // Eight bytes keep the phase, so one rotated key serves the whole ASCII run.
        long wordKey = Long.rotateLeft(key64, 8 * phase);
        if (!bigEndian) {
          wordKey = Long.reverseBytes(wordKey);
        }
        while (end - p >= 8 && ((buf.getLong(p) ^ wordKey) & HIGH_BITS) == 0) {
          p += 8;
        }
        if (p == end) {
          break;
        }
      }
      int b = (buf.get(p) ^ (key >>> (24 - 8 * phase))) & 0xFF;
      state = Utf8Validator.step(state, b);
      if (state == Utf8Validator.REJECT) {
        utf8State = state;
        return false;
      }
      p++;
      phase = (phase + 1) & 3;
    }
    utf8State = state;
    return true;
  }

  private static int unmasked(ByteBuffer buf, int index, int payloadIndex, int key) {
    return (buf.get(index) ^ (key >>> (24 - 8 * (payloadIndex & 3)))) & 0xFF;
  }

  private int violate(int code, String reason) {
    violationCode = code;
    violationReason = reason;
    return -1;
  }

  private int failedFrameStart(int frameStart, int from) {
    if (frameStart >= 0) {
      return frameStart;
    }
    violationMidFrame = true;
    return from;
  }

  /**
   * Whether the bytes returned by the last {@link #inspect} call are to be dropped rather than
   * forwarded.
   */
  public boolean dropped() {
    return regionDropped;
  }

  /** Whether the last {@link #inspect} call stopped before a frame the gate wants delayed. */
  public boolean throttled() {
    return throttled;
  }

  /**
   * 0 while the stream is valid; else 1002 (protocol error), 1007 (invalid UTF-8), 1009 (too big),
   * or a gate's code.
   */
  public int violationCode() {
    return violationCode;
  }

  /** A short constant ASCII description of the violation; empty while there is none. */
  public String violationReason() {
    return violationReason;
  }

  /**
   * Whether the close was the gate's (a policy limit with action close), not a breach of RFC 6455:
   * the policy's own event and metrics report it.
   */
  public boolean violationByGate() {
    return violationByGate;
  }

  /** Whether the offending frame began in an earlier call, so part of it was already forwarded. */
  public boolean violationMidFrame() {
    return violationMidFrame;
  }

  /**
   * Whether the consumed bytes end exactly at a frame end, so a control frame may be injected now.
   */
  public boolean atFrameBoundary() {
    return !inPayload;
  }

  /**
   * Whether a fragmented data message is in progress: from the header of a non-FIN text or binary
   * frame until the last byte of its FIN continuation frame.
   */
  public boolean inMessage() {
    return messageOpen;
  }

  /** Whether a complete, valid close frame was consumed in this direction. */
  public boolean closeSeen() {
    return closeSeen;
  }

  /** The close frame's code, 1005 if it had no payload; 0 before {@link #closeSeen()}. */
  public int closeCode() {
    return closeCode;
  }

  /** Complete data messages seen (counted at the last byte of their FIN frame). */
  public long messages() {
    return messages;
  }

  /** Frames consumed completely, control frames included. */
  public long frames() {
    return frames;
  }

  /** Payload bytes consumed, of all frames. */
  public long payloadBytes() {
    return payloadBytes;
  }
}
