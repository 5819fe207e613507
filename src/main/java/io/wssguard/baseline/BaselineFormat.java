package io.wssguard.baseline;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;
import java.util.zip.CRC32;

/**
 * The baseline file, version 1: big-endian, a CRC-32 over everything after it, so a damaged file is
 * refused rather than half believed.
 *
 * <pre>
 * file:     "WSGB"  u8 version (1)  3 bytes 0  u32 crc32 of the rest  i32 routes  route...
 * route:    string label  i64 connections  i64 sources  i64 windows  i64 messages  u8 n  measure...
 * measure:  string id (Measure.id)  digest all  digest p99  digest max
 * digest:   i32 n  n bytes of t-digest's small encoding (MergingDigest.asSmallBytes)
 * string:   u16 n  n bytes of UTF-8
 * </pre>
 *
 * A measure this version does not know is an error (a newer file): better no baseline than a wrong
 * one.
 */
final class BaselineFormat {
  static final int VERSION = 1;
  static final byte[] MAGIC = {'W', 'S', 'G', 'B'};
  private static final int MAX_DIGEST_BYTES = 1 << 20;

  private BaselineFormat() {}

  /** Why a file cannot be read. */
  static final class Malformed extends Exception {
    private static final long serialVersionUID = 1L;

    Malformed(String message) {
      super(message, null, false, false);
    }
  }

  static byte[] encode(Baselines baselines) {
    int size = 16;
    for (Map.Entry<String, RouteBaseline> e : baselines.routes().entrySet()) {
      size += 2 + utf8(e.getKey()).length + 33;
      for (Measure m : Measure.values()) {
        RouteBaseline.Figures f = e.getValue().figures(m);
        size += 2 + utf8(m.id()).length;
        size += 12 + f.all.encodedBytes() + f.p99.encodedBytes() + f.max.encodedBytes();
      }
    }
    ByteBuffer out = ByteBuffer.allocate(size);
    out.put(MAGIC).put((byte) VERSION).put((byte) 0).put((byte) 0).put((byte) 0);
    out.putInt(0);
    out.putInt(baselines.routes().size());
    for (Map.Entry<String, RouteBaseline> e : baselines.routes().entrySet()) {
      RouteBaseline b = e.getValue();
      string(out, e.getKey());
      RouteBaseline.Coverage c = b.coverage();
      out.putLong(c.connections()).putLong(c.sources()).putLong(c.windows()).putLong(c.messages());
      out.put((byte) Measure.values().length);
      for (Measure m : Measure.values()) {
        RouteBaseline.Figures f = b.figures(m);
        string(out, m.id());
        digest(out, f.all);
        digest(out, f.p99);
        digest(out, f.max);
      }
    }
    byte[] bytes = Arrays.copyOf(out.array(), out.position());
    ByteBuffer.wrap(bytes).putInt(8, (int) crc(bytes));
    return bytes;
  }

  static Baselines decode(byte[] bytes) throws Malformed {
    ByteBuffer in = ByteBuffer.wrap(bytes);
    try {
      byte[] magic = new byte[4];
      in.get(magic);
      if (!Arrays.equals(magic, MAGIC)) {
        throw new Malformed("not a wssguard baseline file (expected: WSGB header)");
      }
      int version = in.get();
      if (version != VERSION) {
        throw new Malformed("baseline format version " + version + " (expected: " + VERSION + ")");
      }
      in.position(8);
      long crc = in.getInt() & 0xFFFF_FFFFL;
      if (crc != crc(bytes)) {
        throw new Malformed("damaged (checksum does not match)");
      }
      Baselines baselines = new Baselines();
      int routes = in.getInt();
      for (int r = 0; r < routes; r++) {
        String label = string(in);
        RouteBaseline b = new RouteBaseline();
        b.restore(
            new RouteBaseline.Coverage(
                nonNegative(in.getLong()),
                nonNegative(in.getLong()),
                nonNegative(in.getLong()),
                nonNegative(in.getLong())));
        int measures = in.get() & 0xFF;
        for (int i = 0; i < measures; i++) {
          String id = string(in);
          Measure m = Measure.ofId(id);
          if (m == null) {
            throw new Malformed("route " + label + ": unknown measure '" + id + "'");
          }
          Distribution all = digest(in);
          Distribution p99 = digest(in);
          Distribution max = digest(in);
          b.restore(m, new RouteBaseline.Figures(all, p99, max));
        }
        baselines.put(label, b);
      }
      if (in.hasRemaining()) {
        throw new Malformed(in.remaining() + " bytes after the last route");
      }
      return baselines;
    } catch (BufferUnderflowException | IndexOutOfBoundsException e) {
      throw new Malformed("cut short");
    }
  }

  private static long crc(byte[] bytes) {
    CRC32 crc = new CRC32();
    crc.update(bytes, 12, bytes.length - 12);
    return crc.getValue();
  }

  private static long nonNegative(long v) throws Malformed {
    if (v < 0) {
      throw new Malformed("negative count " + v);
    }
    return v;
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static void string(ByteBuffer out, String s) {
    byte[] b = utf8(s);
    out.putShort((short) b.length).put(b);
  }

  private static String string(ByteBuffer in) {
    byte[] b = new byte[in.getShort() & 0xFFFF];
    in.get(b);
    return new String(b, StandardCharsets.UTF_8);
  }

  private static void digest(ByteBuffer out, Distribution d) {
    int at = out.position();
    out.putInt(0);
    d.encode(out);
    out.putInt(at, out.position() - at - 4);
  }

  private static Distribution digest(ByteBuffer in) throws Malformed {
    int n = in.getInt();
    if (n < 0 || n > MAX_DIGEST_BYTES) {
      throw new Malformed("digest of " + n + " bytes");
    }
    return Distribution.decode(in, n);
  }
}
