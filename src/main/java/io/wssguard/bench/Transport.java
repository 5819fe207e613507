package io.wssguard.bench;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;

/**
 * How a bench connection moves bytes: straight to the socket ({@link #plain}) or through an {@link
 * TlsTransport}. Non-blocking throughout: every call does what it can now and says whether more is
 * left.
 */
interface Transport {
  /** Finishes whatever the transport needs before application bytes flow; true once it is done. */
  boolean ready(ByteBuffer in) throws IOException;

  /**
   * Application bytes appended to {@code in} (fill mode): how many, 0 when none now, -1 at the end
   * of the stream.
   */
  int read(ByteBuffer in) throws IOException;

  /**
   * Writes {@code out} (read mode) as far as the socket takes it; true when nothing is left
   * pending.
   */
  boolean write(ByteBuffer out) throws IOException;

  /** Whether encrypted bytes are waiting for the socket (then the connection wants OP_WRITE). */
  default boolean pendingWrite() {
    return false;
  }

  static Transport plain(SocketChannel ch) {
    return new Transport() {
      @Override
      public boolean ready(ByteBuffer in) {
        return true;
      }

      @Override
      public int read(ByteBuffer in) throws IOException {
        return ch.read(in);
      }

      @Override
      public boolean write(ByteBuffer out) throws IOException {
        ch.write(out);
        return !out.hasRemaining();
      }
    };
  }
}
