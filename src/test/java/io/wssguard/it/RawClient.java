package io.wssguard.it;

import io.wssguard.testing.TrustAll;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.concurrent.ThreadLocalRandom;
import javax.net.ssl.SSLSocket;

/**
 * A WebSocket client on a raw socket that sends exactly the bytes a test gives it: malformed
 * handshakes, unmasked or oversized frames, invalid UTF-8. Reads answers frame by frame.
 */
final class RawClient implements AutoCloseable {
  static final String KEY = "dGhlIHNhbXBsZSBub25jZQ==";

  final Socket socket;
  final InputStream in;
  final OutputStream out;

  private RawClient(Socket socket) throws IOException {
    this.socket = socket;
    socket.setSoTimeout(10_000);
    this.in = socket.getInputStream();
    this.out = socket.getOutputStream();
  }

  /**
   * Connects over TLS (trusting the test certificate) or plain TCP, from the given loopback source
   * address.
   */
  static RawClient connect(int port, boolean tls) throws IOException {
    return connect(port, tls, null);
  }

  static RawClient connect(int port, boolean tls, String sourceAddress) throws IOException {
    Socket plain = new Socket();
    if (sourceAddress != null) {
      plain.bind(new InetSocketAddress(sourceAddress, 0));
    }
    plain.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 5000);
    if (!tls) {
      return new RawClient(plain);
    }
    SSLSocket s =
        (SSLSocket)
            TrustAll.context().getSocketFactory().createSocket(plain, "localhost", port, true);
    s.startHandshake();
    return new RawClient(s);
  }

  /** What {@link #upgradeStatus} returns for a connection closed without an answer (a ban). */
  static final int CLOSED = -1;

  /**
   * The status of an upgrade to {@code path} from {@code source}, or {@link #CLOSED} when the proxy
   * closed the connection without answering (a banned source is closed right after accept).
   */
  static int upgradeStatus(int port, String source, String path) throws IOException {
    try (RawClient c = connect(port, false, source)) {
      return status(c.request(upgradeRequest(path)));
    } catch (java.io.EOFException | java.net.SocketException closedAtAccept) {
      return CLOSED;
    }
  }

  static String upgradeRequest(String path) {
    return "GET "
        + path
        + " HTTP/1.1\r\nHost: localhost\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        + "Sec-WebSocket-Key: "
        + KEY
        + "\r\nSec-WebSocket-Version: 13\r\n\r\n";
  }

  /** Sends a request head and returns the response head (status line and headers). */
  String request(String head) throws IOException {
    out.write(head.getBytes(StandardCharsets.ISO_8859_1));
    out.flush();
    return readHead();
  }

  /** Opens a WebSocket on {@code path}; fails unless the answer is 101. */
  RawClient upgrade(String path) throws IOException {
    String head = request(upgradeRequest(path));
    if (!head.startsWith("HTTP/1.1 101")) {
      throw new IOException("expected 101, got: " + head);
    }
    return this;
  }

  String readHead() throws IOException {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    byte[] last = new byte[4];
    while (!(last[0] == '\r' && last[1] == '\n' && last[2] == '\r' && last[3] == '\n')) {
      int c = in.read();
      if (c < 0) {
        throw new EOFException("connection closed after: " + b);
      }
      b.write(c);
      System.arraycopy(last, 1, last, 0, 3);
      last[3] = (byte) c;
    }
    return b.toString(StandardCharsets.ISO_8859_1);
  }

  static int status(String head) {
    return Integer.parseInt(head.substring(9, 12));
  }

  /** A masked client frame. */
  static byte[] frame(int firstByte, byte[] payload) {
    return frame(firstByte, payload, true);
  }

  static byte[] frame(int firstByte, byte[] payload, boolean masked) {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    b.write(firstByte);
    int maskBit = masked ? 0x80 : 0;
    int n = payload.length;
    if (n < 126) {
      b.write(maskBit | n);
    } else if (n < 65536) {
      b.write(maskBit | 126);
      b.write(n >>> 8);
      b.write(n);
    } else {
      b.write(maskBit | 127);
      for (int i = 7; i >= 0; i--) {
        b.write((int) ((long) n >>> (8 * i)));
      }
    }
    byte[] mask = new byte[4];
    if (masked) {
      ThreadLocalRandom.current().nextBytes(mask);
      b.writeBytes(mask);
    }
    for (int i = 0; i < n; i++) {
      b.write(payload[i] ^ (masked ? mask[i & 3] : 0));
    }
    return b.toByteArray();
  }

  static byte[] closePayload(int code, String reason) {
    byte[] r = reason.getBytes(StandardCharsets.UTF_8);
    byte[] p = new byte[2 + r.length];
    p[0] = (byte) (code >>> 8);
    p[1] = (byte) code;
    System.arraycopy(r, 0, p, 2, r.length);
    return p;
  }

  RawClient send(byte[] bytes) throws IOException {
    out.write(bytes);
    out.flush();
    return this;
  }

  /** One frame from the server: opcode (with FIN/RSV bits) and unmasked payload. */
  static final class Frame {
    private final int first;
    private final byte[] payload;

    Frame(int first, byte[] payload) {
      this.first = first;
      this.payload = payload;
    }

    int first() {
      return first;
    }

    byte[] payload() {
      return payload;
    }

    int opcode() {
      return first & 0x0f;
    }

    int closeCode() {
      return payload.length >= 2 ? ((payload[0] & 0xff) << 8) | (payload[1] & 0xff) : 1005;
    }

    String text() {
      return new String(payload, StandardCharsets.UTF_8);
    }
  }

  Frame readFrame() throws IOException {
    int b0 = readByte();
    int b1 = readByte();
    long len = b1 & 0x7f;
    if (len == 126) {
      len = ((long) readByte() << 8) | readByte();
    } else if (len == 127) {
      len = 0;
      for (int i = 0; i < 8; i++) {
        len = (len << 8) | readByte();
      }
    }
    byte[] mask = null;
    if ((b1 & 0x80) != 0) {
      mask = in.readNBytes(4);
    }
    byte[] payload = in.readNBytes((int) len);
    if (payload.length != len) {
      throw new EOFException("frame cut short");
    }
    if (mask != null) {
      for (int i = 0; i < payload.length; i++) {
        payload[i] ^= mask[i & 3];
      }
    }
    return new Frame(b0, payload);
  }

  /**
   * Reads frames until a close frame arrives and returns its code; -1 if the connection ends
   * without one.
   */
  int readCloseCode() throws IOException {
    try {
      while (true) {
        Frame f = readFrame();
        if (f.opcode() == 8) {
          return f.closeCode();
        }
      }
    } catch (EOFException | java.net.SocketException e) {
      return -1;
    }
  }

  /** Whether the server ends the connection (EOF) within the socket timeout. */
  boolean closedByPeer() throws IOException {
    try {
      while (in.read() >= 0) {
        // drain whatever comes before the end
      }
      return true;
    } catch (SocketTimeoutException e) {
      return false;
    } catch (java.net.SocketException e) {
      return true;
    }
  }

  private int readByte() throws IOException {
    int b = in.read();
    if (b < 0) {
      throw new EOFException();
    }
    return b;
  }

  static String randomKey() {
    byte[] k = new byte[16];
    ThreadLocalRandom.current().nextBytes(k);
    return Base64.getEncoder().encodeToString(k);
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
