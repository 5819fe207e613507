package io.wssguard.frame;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/** Builds raw frames for tests, including malformed ones (wrong length forms, lying lengths). */
final class WireFrame {

  static final int CLIENT_KEY = 0x37FA213D;

  private int opcode;
  private boolean fin = true;
  private int rsv;
  private byte[] payload = new byte[0];
  private boolean masked;
  private int key;
  private int lengthForm; // 0: minimal, else 7, 16 or 64
  private long declaredLength;
  private boolean lengthDeclared;

  private WireFrame(int opcode) {
    this.opcode = opcode;
  }

  static WireFrame op(int opcode) {
    return new WireFrame(opcode);
  }

  static WireFrame text(String s) {
    return op(0x1).payload(s.getBytes(StandardCharsets.UTF_8));
  }

  static WireFrame text(byte[] utf8) {
    return op(0x1).payload(utf8);
  }

  static WireFrame binary(byte[] b) {
    return op(0x2).payload(b);
  }

  static WireFrame continuation(byte[] b) {
    return op(0x0).payload(b);
  }

  static WireFrame continuation(String s) {
    return continuation(s.getBytes(StandardCharsets.UTF_8));
  }

  static WireFrame close(int code, String reason) {
    byte[] r = reason.getBytes(StandardCharsets.UTF_8);
    byte[] p = new byte[2 + r.length];
    p[0] = (byte) (code >>> 8);
    p[1] = (byte) code;
    System.arraycopy(r, 0, p, 2, r.length);
    return op(0x8).payload(p);
  }

  static WireFrame ping(int n) {
    return op(0x9).payload(new byte[n]);
  }

  WireFrame payload(byte[] p) {
    this.payload = p.clone();
    return this;
  }

  WireFrame fin(boolean f) {
    this.fin = f;
    return this;
  }

  /** ORs bits into the RSV field: 0x40 RSV1, 0x20 RSV2, 0x10 RSV3. */
  WireFrame rsv(int bits) {
    this.rsv |= bits;
    return this;
  }

  WireFrame mask(int k) {
    this.masked = true;
    this.key = k;
    return this;
  }

  /** Masks with the test key when {@code fromClient}. */
  WireFrame dir(boolean fromClient) {
    return fromClient ? mask(CLIENT_KEY) : this;
  }

  WireFrame lengthForm(int form) {
    this.lengthForm = form;
    return this;
  }

  /** A header that announces {@code n} bytes regardless of the payload actually appended. */
  WireFrame declaredLength(long n) {
    this.declaredLength = n;
    this.lengthDeclared = true;
    return this;
  }

  byte[] bytes() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write((fin ? 0x80 : 0) | rsv | opcode);
    long len = lengthDeclared ? declaredLength : payload.length;
    int form =
        lengthForm != 0
            ? lengthForm
            : len >= 0 && len < 126 ? 7 : len >= 0 && len <= 0xFFFF ? 16 : 64;
    int m = masked ? 0x80 : 0;
    if (form == 7) {
      out.write(m | (int) len);
    } else if (form == 16) {
      out.write(m | 126);
      out.write((int) (len >>> 8) & 0xFF);
      out.write((int) len & 0xFF);
    } else {
      out.write(m | 127);
      for (int s = 56; s >= 0; s -= 8) {
        out.write((int) (len >>> s) & 0xFF);
      }
    }
    if (masked) {
      for (int s = 24; s >= 0; s -= 8) {
        out.write((key >>> s) & 0xFF);
      }
    }
    for (int i = 0; i < payload.length; i++) {
      int k = masked ? (key >>> (24 - 8 * (i & 3))) & 0xFF : 0;
      out.write((payload[i] ^ k) & 0xFF);
    }
    return out.toByteArray();
  }

  static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] p : parts) {
      out.write(p, 0, p.length);
    }
    return out.toByteArray();
  }

  static byte[] concat(WireFrame... frames) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (WireFrame f : frames) {
      byte[] p = f.bytes();
      out.write(p, 0, p.length);
    }
    return out.toByteArray();
  }
}
