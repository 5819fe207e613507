package io.wssguard.traffic;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * A recording written straight in {@link TrafficFormat}, as the recorder would have written it, of
 * clients that each connect at the start, send one message of a fixed size (echoed by the backend)
 * at a steady rate, and close at the end: fast enough for millions of messages, and the same bytes
 * every time.
 */
public final class SyntheticRecording {
  /** The recording's start. */
  public static final long START_MS = 1_700_000_000_000L;

  private static final int OP_TEXT = 0x1;

  /** One client: a literal address, its route, its messages per second and their size. */
  public record Client(String source, String route, double perSecond, int bytes) {}

  private final List<Client> clients = new ArrayList<>();
  private long fileBytes = 64L << 20;

  public SyntheticRecording client(String source, String route, double perSecond, int bytes) {
    clients.add(new Client(source, route, perSecond, bytes));
    return this;
  }

  /** Files are closed and the next begun at this size (the recorder's segments). */
  public SyntheticRecording fileBytes(long bytes) {
    this.fileBytes = bytes;
    return this;
  }

  /** Writes {@code seconds} of the clients' traffic into {@code dir}; returns client messages. */
  public long write(Path dir, long seconds) throws IOException {
    Files.createDirectories(dir);
    try (Writer w = new Writer(dir)) {
      for (int i = 0; i < clients.size(); i++) {
        Client c = clients.get(i);
        w.handshake(
            START_MS,
            i + 1L,
            new RecordedHandshake(
                InetAddress.getByName(c.source()),
                c.route(),
                c.route(),
                101,
                null,
                null,
                null,
                "host,upgrade,connection",
                200));
      }
      long[] sent = new long[clients.size()];
      long messages = 0;
      for (long ms = 0; ms < seconds * 1000; ms++) {
        for (int i = 0; i < clients.size(); i++) {
          Client c = clients.get(i);
          long due = (long) (c.perSecond() * ms / 1000);
          for (; sent[i] < due; sent[i]++, messages++) {
            w.frame(START_MS + ms, i + 1L, TrafficFormat.FIN | OP_TEXT, c.bytes());
            w.frame(
                START_MS + ms,
                i + 1L,
                TrafficFormat.FROM_BACKEND | TrafficFormat.FIN | OP_TEXT,
                c.bytes());
          }
        }
      }
      for (int i = 0; i < clients.size(); i++) {
        w.end(START_MS + seconds * 1000, i + 1L);
      }
      return messages;
    }
  }

  /** Rotating files of records, each record's time as a delta from the previous one. */
  private final class Writer implements AutoCloseable {
    private final Path dir;
    private final ByteBuffer out = ByteBuffer.allocate(1 << 20);
    private FileChannel file;
    private long written;
    private long lastMs;
    private int sequence;

    Writer(Path dir) {
      this.dir = dir;
    }

    void handshake(long ms, long conn, RecordedHandshake h) throws IOException {
      int at = before(ms);
      TrafficFormat.handshake(out, delta(ms), conn, h);
      written += out.position() - at;
    }

    void frame(long ms, long conn, int flags, long size) throws IOException {
      int at = before(ms);
      TrafficFormat.frame(out, delta(ms), conn, flags, size);
      written += out.position() - at;
    }

    void end(long ms, long conn) throws IOException {
      int at = before(ms);
      TrafficFormat.end(out, delta(ms), conn, TrafficRecorder.CLOSED_BY_CLIENT, 1000);
      written += out.position() - at;
    }

    /** Room for one more record, in a new file when this one is full; returns the position. */
    private int before(long ms) throws IOException {
      if (file == null || written >= fileBytes) {
        close();
        file =
            FileChannel.open(
                dir.resolve(TrafficFormat.fileName(START_MS, ++sequence)),
                StandardOpenOption.CREATE_NEW,
                StandardOpenOption.WRITE);
        TrafficFormat.header(out, 42, ms);
        lastMs = ms;
        written = TrafficFormat.HEADER_BYTES;
      }
      if (out.remaining() < TrafficFormat.MAX_RECORD_BYTES) {
        flush();
      }
      return out.position();
    }

    private long delta(long ms) {
      long dt = ms - lastMs;
      lastMs = ms;
      return dt;
    }

    private void flush() throws IOException {
      out.flip();
      while (out.hasRemaining()) {
        file.write(out);
      }
      out.clear();
    }

    @Override
    public void close() throws IOException {
      if (file != null) {
        flush();
        file.close();
        file = null;
      }
    }
  }
}
