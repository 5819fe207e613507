package io.wssguard.traffic;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.regex.Pattern;

/**
 * The recording file format, version 1 (docs/POLICIES.md, "Recording format"). A file is a 24-byte
 * header and then records; integers marked varint are unsigned LEB128, everything else big-endian.
 *
 * <pre>
 * header:    "WSGT"  u8 version (1)  3 bytes 0  i64 run id  i64 start (epoch ms)
 * record:    u8 type  varint ms since the previous record (the first: since start)  varint connection
 * handshake: type 1, varint status, u8 n (4 or 16) + n address bytes (the TCP peer),
 *            string route, string path, string origin, string subprotocols, string forwardedFor,
 *            string headerNames, varint headerBytes
 * frame:     type 2, u8 flags (0x80 backend-to-client, 0x40 FIN, 0x20 RSV1, low 4 bits opcode),
 *            varint payload length
 * end:       type 3, u8 who closed first (0 client, 1 backend, 2 proxy), varint close code
 *            (1006: the connection went away without a close frame)
 * string:    varint 0 for absent, else 1 + n, then n bytes of UTF-8
 * </pre>
 *
 * A connection number is unique within a run (one process); the run id tells runs apart. A file cut
 * short (a crash, a full disk) ends at its last whole record. Sizes: a frame is typically 5 bytes.
 */
final class TrafficFormat {
  static final int VERSION = 1;
  static final int HEADER_BYTES = 24;
  static final byte[] MAGIC = {'W', 'S', 'G', 'T'};
  static final int HANDSHAKE = 1;
  static final int FRAME = 2;
  static final int END = 3;
  static final int FROM_BACKEND = 0x80;
  static final int FIN = 0x40;
  static final int RSV1 = 0x20;

  /** Header values longer than this are cut: a recording must not be a way to fill a disk. */
  static final int MAX_STRING_BYTES = 1024;

  /** The largest encoded record: a handshake with every string at its cap. */
  static final int MAX_RECORD_BYTES = 1 + 10 + 10 + 5 + 17 + 6 * (5 + MAX_STRING_BYTES) + 5;

  /**
   * Recording files: {@code traffic-<start epoch ms>-<sequence>.wsgt}; name order is time order.
   */
  static final Pattern FILE_NAME = Pattern.compile("traffic-\\d{13}-\\d{6}\\.wsgt");

  private TrafficFormat() {}

  static String fileName(long startEpochMs, int sequence) {
    return String.format("traffic-%013d-%06d.wsgt", startEpochMs, sequence);
  }

  static void header(ByteBuffer out, long runId, long startEpochMs) {
    out.put(MAGIC).put((byte) VERSION).put((byte) 0).put((byte) 0).put((byte) 0);
    out.putLong(runId).putLong(startEpochMs);
  }

  static void frame(ByteBuffer out, long dtMs, long conn, int flags, long size) {
    out.put((byte) FRAME);
    varint(out, dtMs);
    varint(out, conn);
    out.put((byte) flags);
    varint(out, size);
  }

  static void end(ByteBuffer out, long dtMs, long conn, int who, int code) {
    out.put((byte) END);
    varint(out, dtMs);
    varint(out, conn);
    out.put((byte) who);
    varint(out, code);
  }

  static void handshake(ByteBuffer out, long dtMs, long conn, RecordedHandshake h) {
    out.put((byte) HANDSHAKE);
    varint(out, dtMs);
    varint(out, conn);
    varint(out, h.status());
    byte[] a = h.peer().getAddress();
    out.put((byte) a.length).put(a);
    string(out, h.route());
    string(out, h.path());
    string(out, h.origin());
    string(out, h.subprotocols());
    string(out, h.forwardedFor());
    string(out, h.headerNames());
    varint(out, h.headerBytes());
  }

  static void varint(ByteBuffer out, long v) {
    while ((v & ~0x7FL) != 0) {
      out.put((byte) ((v & 0x7F) | 0x80));
      v >>>= 7;
    }
    out.put((byte) v);
  }

  private static void string(ByteBuffer out, String s) {
    if (s == null) {
      varint(out, 0);
      return;
    }
    byte[] b = s.getBytes(StandardCharsets.UTF_8);
    int n = Math.min(b.length, MAX_STRING_BYTES);
    varint(out, n + 1L);
    out.put(b, 0, n);
  }

  /** A record that is not whole, or not valid: the file ends before it. */
  static final class Malformed extends Exception {
    private static final long serialVersionUID = 1L;

    Malformed(String message) {
      super(message, null, false, false);
    }
  }

  static long readVarint(ByteBuffer in) throws Malformed {
    long v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      byte b = get(in);
      v |= (long) (b & 0x7F) << shift;
      if (b >= 0) {
        return v;
      }
    }
    throw new Malformed("varint longer than 10 bytes");
  }

  static int readInt(ByteBuffer in, int max) throws Malformed {
    long v = readVarint(in);
    if (v > max) {
      throw new Malformed("value " + v + " over " + max);
    }
    return (int) v;
  }

  static byte get(ByteBuffer in) throws Malformed {
    try {
      return in.get();
    } catch (BufferUnderflowException e) {
      throw new Malformed("record cut short");
    }
  }

  static String readString(ByteBuffer in) throws Malformed {
    int n = readInt(in, MAX_STRING_BYTES + 1);
    if (n == 0) {
      return null;
    }
    if (in.remaining() < n - 1) {
      throw new Malformed("record cut short");
    }
    byte[] b = new byte[n - 1];
    in.get(b);
    return new String(b, StandardCharsets.UTF_8);
  }

  static RecordedHandshake readHandshake(ByteBuffer in) throws Malformed {
    int status = readInt(in, 999);
    int n = get(in);
    if (n != 4 && n != 16) {
      throw new Malformed("address of " + n + " bytes");
    }
    if (in.remaining() < n) {
      throw new Malformed("record cut short");
    }
    byte[] a = new byte[n];
    in.get(a);
    InetAddress peer;
    try {
      peer = InetAddress.getByAddress(a);
    } catch (UnknownHostException e) {
      throw new Malformed("address: " + e.getMessage());
    }
    String route = readString(in);
    String path = readString(in);
    String origin = readString(in);
    String protocols = readString(in);
    String xff = readString(in);
    String names = readString(in);
    int headerBytes = readInt(in, Integer.MAX_VALUE);
    return new RecordedHandshake(
        peer, route, path, status, origin, protocols, xff, names == null ? "" : names, headerBytes);
  }
}
