package io.wssguard.net;

import java.nio.ByteBuffer;

/**
 * How long the PROXY protocol header at the start of a connection is, decided from the bytes read
 * so far: complete (its length), not yet known ({@link #INCOMPLETE}), or not a header wssguard
 * takes ({@link #INVALID}). The PROXY protocol spec (haproxy.org proxy-protocol.txt) asks senders
 * to send the header in one segment, but TCP and the load balancers in between do not promise it,
 * so the header may arrive in any number of reads; each read asks again with everything read so
 * far.
 *
 * <p>Only the frame is checked here, enough to know where the header ends and to refuse what cannot
 * become one as early as possible: the v1 {@code "PROXY "} prefix and its CRLF within 107 bytes
 * (section 2.1), the v2 signature, version 2 (section 2.2) and a length within {@link
 * #MAX_V2_LENGTH}. What the header says (command, family, addresses) is read by whoever takes the
 * complete header. Stateless, allocation-free, absolute reads only: the buffer is not moved.
 */
public final class ProxyHeaderLength {
  /** More bytes are needed to know. */
  public static final int INCOMPLETE = 0;

  /** Not a PROXY v1 or v2 header, or longer than allowed: close the connection. */
  public static final int INVALID = -1;

  /** The longest v1 header, CRLF included (section 2.1). */
  public static final int MAX_V1_BYTES = 107;

  /** The v2 header before its address block: signature, version and command, family, length. */
  public static final int V2_FIXED_BYTES = 16;

  /**
   * The most address and TLV bytes a v2 header may announce. The field allows 65,535; addresses
   * take at most 216 (AF_UNIX) and load balancers' TLVs (authority, unique ID, TLS details, cloud
   * endpoint IDs) a few hundred more, so 4 KiB is far above what a real sender needs while keeping
   * what one connection can make the proxy hold before it has a client small.
   */
  public static final int MAX_V2_LENGTH = 4096;

  /** The longest header taken at all. */
  public static final int MAX_BYTES = V2_FIXED_BYTES + MAX_V2_LENGTH;

  private static final byte[] V1_PREFIX = {'P', 'R', 'O', 'X', 'Y', ' '};
  private static final byte[] V2_SIGNATURE = {
    0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A
  };

  private ProxyHeaderLength() {}

  /**
   * The length of the header in {@code buffer[0, end)} once complete, {@link #INCOMPLETE} while
   * those bytes could still start one, {@link #INVALID} once they cannot.
   */
  public static int of(ByteBuffer buffer, int end) {
    if (end <= 0) {
      return INCOMPLETE;
    }
    byte first = buffer.get(0);
    if (first == V1_PREFIX[0]) {
      return v1(buffer, end);
    }
    if (first == V2_SIGNATURE[0]) {
      return v2(buffer, end);
    }
    return INVALID;
  }

  private static int v1(ByteBuffer buffer, int end) {
    int prefix = Math.min(end, V1_PREFIX.length);
    for (int i = 1; i < prefix; i++) {
      if (buffer.get(i) != V1_PREFIX[i]) {
        return INVALID;
      }
    }
    int scan = Math.min(end, MAX_V1_BYTES);
    for (int i = V1_PREFIX.length; i < scan; i++) {
      if (buffer.get(i) == '\n') {
        return buffer.get(i - 1) == '\r' ? i + 1 : INVALID;
      }
    }
    return end >= MAX_V1_BYTES ? INVALID : INCOMPLETE;
  }

  private static int v2(ByteBuffer buffer, int end) {
    int signature = Math.min(end, V2_SIGNATURE.length);
    for (int i = 1; i < signature; i++) {
      if (buffer.get(i) != V2_SIGNATURE[i]) {
        return INVALID;
      }
    }
    if (end > V2_SIGNATURE.length && (buffer.get(V2_SIGNATURE.length) & 0xF0) != 0x20) {
      return INVALID;
    }
    if (end < V2_FIXED_BYTES) {
      return INCOMPLETE;
    }
    int length = ((buffer.get(14) & 0xFF) << 8) | (buffer.get(15) & 0xFF);
    if (length > MAX_V2_LENGTH) {
      return INVALID;
    }
    return end >= V2_FIXED_BYTES + length ? V2_FIXED_BYTES + length : INCOMPLETE;
  }
}
