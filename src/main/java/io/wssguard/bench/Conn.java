package io.wssguard.bench;

import io.wssguard.frame.CloseCodes;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;

/**
 * One bench WebSocket connection (RFC 6455 client side), owned by a single {@link ClientLoop}
 * thread.
 *
 * <p>Every message is the same pre-masked binary frame, copied into {@code out}; its send time goes
 * into a FIFO ring, and the next complete frame from the server (an echo arrives in order) takes
 * the oldest time out, giving one round-trip time per message. Nothing is allocated per message.
 * Server frames are parsed in place in {@code in}: unmasked (section 5.1), 7/16/64-bit lengths
 * (5.2); pings are answered (5.5.2), a close frame or end of stream while open counts as an
 * unexpected close.
 */
final class Conn {
  enum State {
    CONNECTING,
    TLS,
    UPGRADE,
    OPEN,
    CLOSING,
    DONE
  }

  enum Outcome {
    NONE,
    CONNECT_FAILED,
    UNEXPECTED_CLOSE,
    PROTOCOL_ERROR,
    CLOSED_CLEANLY,
    CLOSE_TIMEOUT
  }

  private static final int RING = 4096;
  private static final byte[] CLOSE_1000 = maskedControl(0x8, new byte[] {0x03, (byte) 0xE8});

  final SocketChannel ch;
  SelectionKey key;
  final Transport transport;
  final ByteBuffer in;
  final ByteBuffer out;
  private final byte[] frame;
  private final byte[] request;
  private final String expectedAccept;
  private final long[] sentAt = new long[RING];
  private int ringHead;
  private int ringSize;

  State state = State.CONNECTING;
  Outcome outcome = Outcome.NONE;
  String failure;
  long nextSend;

  /**
   * Sends skipped because the socket was not taking more (backpressure) or too many were
   * unanswered.
   */
  long skipped;

  long sent;

  Conn(
      SocketChannel ch,
      Transport transport,
      int inCapacity,
      byte[] frame,
      String hostPort,
      String path,
      byte[] key) {
    this.ch = ch;
    this.transport = transport;
    this.in = ByteBuffer.allocateDirect(inCapacity);
    this.out = ByteBuffer.allocateDirect(Math.max(64 * 1024, frame.length * 4));
    this.frame = frame;
    String keyText = Base64.getEncoder().encodeToString(key);
    this.request =
        ("GET "
                + path
                + " HTTP/1.1\r\nHost: "
                + hostPort
                + "\r\nUpgrade: websocket\r\n"
                + "Connection: Upgrade\r\nSec-WebSocket-Key: "
                + keyText
                + "\r\nSec-WebSocket-Version: 13\r\n\r\n")
            .getBytes(StandardCharsets.US_ASCII);
    this.expectedAccept = accept(keyText);
  }

  /** Queues the upgrade request (after TCP connect and, with TLS, the handshake). */
  void startUpgrade() throws IOException {
    state = State.UPGRADE;
    out.put(request);
    flush();
  }

  /** One message now, if the connection can take it. */
  void send(long now) throws IOException {
    if (ringSize == RING || out.remaining() < frame.length) {
      skipped++;
      return;
    }
    out.put(frame);
    sentAt[(ringHead + ringSize) & (RING - 1)] = now;
    ringSize++;
    sent++;
    flush();
  }

  void startClose() throws IOException {
    if (state != State.OPEN) {
      return;
    }
    state = State.CLOSING;
    if (out.remaining() >= CLOSE_1000.length) {
      out.put(CLOSE_1000);
    }
    flush();
  }

  /** Writes what is pending; asks for OP_WRITE while something is left. */
  void flush() throws IOException {
    out.flip();
    boolean all = transport.write(out);
    out.compact();
    int ops =
        all && out.position() == 0
            ? SelectionKey.OP_READ
            : SelectionKey.OP_READ | SelectionKey.OP_WRITE;
    if (key.interestOps() != ops) {
      key.interestOps(ops);
    }
  }

  /**
   * Reads and handles everything available; each echoed message's send time goes to {@code loop}.
   * Returns false when the connection has ended (state DONE).
   */
  boolean onReadable(ClientLoop loop) throws IOException {
    for (int guard = 0; guard < 1024; guard++) {
      int n = transport.read(in);
      if (n > 0 || in.position() > 0) {
        if (!consume(loop)) {
          return false;
        }
      }
      if (n < 0) {
        end(
            state == State.CLOSING
                ? Outcome.CLOSED_CLEANLY
                : state == State.UPGRADE ? Outcome.CONNECT_FAILED : Outcome.UNEXPECTED_CLOSE,
            "connection closed by the peer");
        return false;
      }
      if (n == 0) {
        return true;
      }
    }
    return true;
  }

  private boolean consume(ClientLoop loop) throws IOException {
    in.flip();
    try {
      if (state == State.UPGRADE && !readUpgradeAnswer()) {
        return state != State.DONE;
      }
      return readFrames(loop);
    } finally {
      in.compact();
    }
  }

  private boolean readUpgradeAnswer() {
    int end = -1;
    for (int i = in.position(); i + 3 < in.limit(); i++) {
      if (in.get(i) == '\r'
          && in.get(i + 1) == '\n'
          && in.get(i + 2) == '\r'
          && in.get(i + 3) == '\n') {
        end = i + 4;
        break;
      }
    }
    if (end < 0) {
      if (in.limit() == in.capacity()) {
        end(Outcome.CONNECT_FAILED, "upgrade answer too long");
      }
      return false;
    }
    byte[] head = new byte[end - in.position()];
    in.get(head);
    String text = new String(head, StandardCharsets.ISO_8859_1);
    String statusLine = text.substring(0, text.indexOf('\r'));
    if (!statusLine.startsWith("HTTP/1.1 101")) {
      end(Outcome.CONNECT_FAILED, "upgrade refused: " + statusLine);
      return false;
    }
    boolean acceptOk = false;
    for (String line : text.split("\r\n", -1)) {
      int colon = line.indexOf(':');
      if (colon > 0 && line.substring(0, colon).trim().equalsIgnoreCase("Sec-WebSocket-Accept")) {
        acceptOk = line.substring(colon + 1).trim().equals(expectedAccept);
      }
    }
    if (!acceptOk) {
      end(Outcome.CONNECT_FAILED, "missing or wrong Sec-WebSocket-Accept");
      return false;
    }
    state = State.OPEN;
    return true;
  }

  private boolean readFrames(ClientLoop loop) throws IOException {
    while (in.remaining() >= 2) {
      int p = in.position();
      int b0 = in.get(p) & 0xFF;
      int b1 = in.get(p + 1) & 0xFF;
      if ((b1 & 0x80) != 0) {
        end(Outcome.PROTOCOL_ERROR, "masked frame from the server");
        return false;
      }
      int len7 = b1 & 0x7F;
      int header = len7 == 126 ? 4 : len7 == 127 ? 10 : 2;
      if (in.remaining() < header) {
        return true;
      }
      long len = len7 == 126 ? in.getShort(p + 2) & 0xFFFF : len7 == 127 ? in.getLong(p + 2) : len7;
      if (len < 0 || header + len > in.capacity()) {
        end(Outcome.PROTOCOL_ERROR, "frame of " + len + " bytes, larger than expected");
        return false;
      }
      if (in.remaining() < header + len) {
        return true;
      }
      int opcode = b0 & 0x0F;
      in.position(p + header + (int) len);
      switch (opcode) {
        case 0x1, 0x2, 0x0 -> {
          if ((b0 & 0x80) != 0) {
            if (ringSize > 0) {
              long t = sentAt[ringHead];
              ringHead = (ringHead + 1) & (RING - 1);
              ringSize--;
              loop.echoed(t);
            } else {
              end(Outcome.PROTOCOL_ERROR, "a message that was never sent came back");
              return false;
            }
          }
        }
        case 0x8 -> {
          if (state == State.CLOSING) {
            end(Outcome.CLOSED_CLEANLY, null);
          } else {
            int code = len >= 2 ? in.getShort(p + header) & 0xFFFF : CloseCodes.NO_STATUS;
            end(Outcome.UNEXPECTED_CLOSE, "close frame " + code + " from the server");
          }
          return false;
        }
        case 0x9 -> {
          byte[] payload = new byte[(int) len];
          in.get(p + header, payload);
          byte[] pong = maskedControl(0xA, payload);
          if (out.remaining() >= pong.length) {
            out.put(pong);
            flush();
          }
        }
        case 0xA -> {}
        default -> {
          end(Outcome.PROTOCOL_ERROR, "unknown opcode " + opcode);
          return false;
        }
      }
    }
    return true;
  }

  void end(Outcome how, String why) {
    if (state == State.DONE) {
      return;
    }
    state = State.DONE;
    outcome = how;
    failure = why;
    if (key != null) {
      key.cancel();
    }
    try {
      ch.close();
    } catch (IOException ignored) {
      // closing a socket we are done with
    }
  }

  /**
   * A whole masked frame: header, the 4-byte mask, and the payload XORed with it (RFC 6455 5.3).
   */
  static byte[] maskedFrame(int opcode, byte[] payload, byte[] mask) {
    int n = payload.length;
    int lenBytes = n < 126 ? 0 : n < 65536 ? 2 : 8;
    byte[] f = new byte[2 + lenBytes + 4 + n];
    f[0] = (byte) (0x80 | opcode);
    int o;
    if (n < 126) {
      f[1] = (byte) (0x80 | n);
      o = 2;
    } else if (n < 65536) {
      f[1] = (byte) (0x80 | 126);
      f[2] = (byte) (n >>> 8);
      f[3] = (byte) n;
      o = 4;
    } else {
      f[1] = (byte) (0x80 | 127);
      for (int i = 0; i < 8; i++) {
        f[2 + i] = (byte) ((long) n >>> (56 - 8 * i));
      }
      o = 10;
    }
    System.arraycopy(mask, 0, f, o, 4);
    o += 4;
    for (int i = 0; i < n; i++) {
      f[o + i] = (byte) (payload[i] ^ mask[i & 3]);
    }
    return f;
  }

  private static byte[] maskedControl(int opcode, byte[] payload) {
    return maskedFrame(opcode, payload, new byte[] {0x11, 0x22, 0x33, 0x44});
  }

  private static String accept(String key) {
    try {
      MessageDigest sha1 = MessageDigest.getInstance("SHA-1");
      byte[] d =
          sha1.digest(
              (key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11").getBytes(StandardCharsets.US_ASCII));
      return Base64.getEncoder().encodeToString(d);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-1 is required of every JDK", e);
    }
  }
}
