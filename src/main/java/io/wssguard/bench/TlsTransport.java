package io.wssguard.bench;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLEngineResult.HandshakeStatus;
import javax.net.ssl.SSLException;

/**
 * TLS for a non-blocking bench connection, on the JDK's client {@link SSLEngine}. The handshake is
 * driven by {@link #ready}; afterwards {@link #read} unwraps whatever records have arrived and
 * {@link #write} wraps each call's bytes (one record per message, as a real client sends them).
 * Post-handshake messages (TLS 1.3 session tickets) are handled where they appear. Encrypted bytes
 * that the socket did not take wait in {@code netOut}.
 */
final class TlsTransport implements Transport {
  private static final ByteBuffer EMPTY = ByteBuffer.allocate(0);

  private final SSLEngine engine;
  private final SocketChannel ch;
  private final ByteBuffer netIn;

  /** Fill mode: position = encrypted bytes not yet written. */
  private final ByteBuffer netOut;

  private boolean handshaken;

  TlsTransport(SSLEngine engine, SocketChannel ch) throws SSLException {
    this.engine = engine;
    // Until this, the engine says NOT_HANDSHAKING, which ready() would take for "done".
    engine.beginHandshake();
    this.ch = ch;
    int packet = engine.getSession().getPacketBufferSize();
    this.netIn = ByteBuffer.allocateDirect(2 * packet);
    this.netOut = ByteBuffer.allocateDirect(2 * packet);
  }

  /** Application buffer size a caller's {@code in} buffer must leave free for one unwrap. */
  int applicationBufferSize() {
    return engine.getSession().getApplicationBufferSize();
  }

  @Override
  public boolean ready(ByteBuffer in) throws IOException {
    if (handshaken) {
      return flushNet();
    }
    for (int guard = 0; guard < 10_000; guard++) {
      HandshakeStatus hs = engine.getHandshakeStatus();
      switch (hs) {
        case NEED_TASK -> runTasks();
        case NEED_WRAP -> {
          SSLEngineResult r = engine.wrap(EMPTY, netOut);
          if (r.getStatus() == SSLEngineResult.Status.CLOSED) {
            throw new SSLException("TLS closed during handshake");
          }
          if (!flushNet() && r.getStatus() == SSLEngineResult.Status.BUFFER_OVERFLOW) {
            return false;
          }
        }
        case NEED_UNWRAP, NEED_UNWRAP_AGAIN -> {
          netIn.flip();
          SSLEngineResult r = engine.unwrap(netIn, in);
          netIn.compact();
          if (r.getStatus() == SSLEngineResult.Status.CLOSED) {
            throw new SSLException("TLS closed during handshake");
          }
          if (r.getStatus() == SSLEngineResult.Status.BUFFER_UNDERFLOW) {
            int n = ch.read(netIn);
            if (n < 0) {
              throw new EOFException("connection closed during TLS handshake");
            }
            if (n == 0) {
              flushNet();
              return false;
            }
          }
        }
        default -> {
          handshaken = true;
          return flushNet();
        }
      }
    }
    throw new SSLException("TLS handshake made no progress");
  }

  @Override
  public int read(ByteBuffer in) throws IOException {
    int produced = unwrapBuffered(in);
    if (produced != 0) {
      return produced;
    }
    int n = ch.read(netIn);
    if (n < 0) {
      return -1;
    }
    return n == 0 ? 0 : unwrapBuffered(in);
  }

  /**
   * Unwraps the complete records in {@code netIn}; -1 if the peer closed TLS. Stops when {@code in}
   * is full.
   */
  private int unwrapBuffered(ByteBuffer in) throws IOException {
    int produced = 0;
    while (netIn.position() > 0) {
      netIn.flip();
      SSLEngineResult r = engine.unwrap(netIn, in);
      netIn.compact();
      produced += r.bytesProduced();
      switch (r.getStatus()) {
        case CLOSED -> {
          return produced > 0 ? produced : -1;
        }
        case BUFFER_UNDERFLOW, BUFFER_OVERFLOW -> {
          return produced;
        }
        default -> {
          afterHandshakeStatus(r.getHandshakeStatus());
          if (r.bytesConsumed() == 0 && r.bytesProduced() == 0) {
            return produced;
          }
        }
      }
    }
    return produced;
  }

  @Override
  public boolean write(ByteBuffer out) throws IOException {
    if (!flushNet()) {
      return false;
    }
    while (out.hasRemaining()) {
      SSLEngineResult r = engine.wrap(out, netOut);
      if (r.getStatus() == SSLEngineResult.Status.CLOSED) {
        throw new SSLException("TLS closed");
      }
      afterHandshakeStatus(r.getHandshakeStatus());
      if (!flushNet()) {
        return false;
      }
      if (r.bytesConsumed() == 0 && r.getStatus() == SSLEngineResult.Status.OK) {
        // The engine is (re)handshaking and needs the peer first: the caller retries on the next
        // wakeup.
        return false;
      }
    }
    return true;
  }

  private void afterHandshakeStatus(HandshakeStatus hs) throws IOException {
    if (hs == HandshakeStatus.NEED_TASK) {
      runTasks();
      hs = engine.getHandshakeStatus();
    }
    if (hs == HandshakeStatus.NEED_WRAP) {
      engine.wrap(EMPTY, netOut);
      flushNet();
    }
  }

  @Override
  public boolean pendingWrite() {
    return netOut.position() > 0;
  }

  private boolean flushNet() throws IOException {
    if (netOut.position() == 0) {
      return true;
    }
    netOut.flip();
    ch.write(netOut);
    netOut.compact();
    return netOut.position() == 0;
  }

  private void runTasks() {
    Runnable task;
    while ((task = engine.getDelegatedTask()) != null) {
      task.run();
    }
  }
}
