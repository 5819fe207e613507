package io.wssguard.traffic;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Reads a recording directory written by {@link TrafficRecorder}: its files in name (time) order,
 * each record handed to a {@link Visitor}. Files are streamed through one 1 MiB buffer, so memory
 * does not grow with the recording. Connection numbers are made unique across the runs (the
 * processes) that wrote the files. A file cut short ends at its last whole record and is counted in
 * {@link Summary#truncatedFiles()}; a file that is not a recording is an error.
 */
public final class TrafficReader {
  /** Receives the records in file order, which is time order within each connection. */
  public interface Visitor {
    void handshake(long conn, long epochMs, RecordedHandshake handshake);

    /** A frame header; {@code fromClient}: client-to-backend, the direction policies limit. */
    void frame(
        long conn,
        long epochMs,
        boolean fromClient,
        int opcode,
        boolean fin,
        boolean rsv1,
        long size);

    /** The connection ended: {@code who} closed first ({@code TrafficRecorder.CLOSED_BY_*}). */
    void end(long conn, long epochMs, int who, int code);
  }

  /** What was read. */
  public record Summary(int files, long records, int truncatedFiles) {}

  /** Read buffer: files are streamed through it, whatever their size. */
  private static final int BUFFER_BYTES = 1 << 20;

  private TrafficReader() {}

  /**
   * Moves what is left of {@code in} to its start and reads after it until it is full or the file
   * ends; returns whether the file ended. {@code in} is left ready to be read.
   */
  private static boolean refill(FileChannel ch, ByteBuffer in) throws IOException {
    in.compact();
    boolean eof = false;
    while (in.hasRemaining()) {
      if (ch.read(in) < 0) {
        eof = true;
        break;
      }
    }
    in.flip();
    return eof;
  }

  /** The recording files in {@code dir}, oldest first. */
  public static List<Path> files(Path dir) throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.filter(p -> TrafficFormat.FILE_NAME.matcher(p.getFileName().toString()).matches())
          .sorted()
          .toList();
    }
  }

  /**
   * Reads every recording file of {@code dir}.
   *
   * @throws IOException when the directory or a file cannot be read, or a file is not a recording
   *     of a known version (the message names the file)
   */
  public static Summary read(Path dir, Visitor visitor) throws IOException {
    List<Path> files = files(dir);
    if (files.isEmpty()) {
      throw new IOException(dir + ": no recording files (expected: traffic-*.wsgt)");
    }
    Map<Long, Long> runs = new HashMap<>();
    ByteBuffer in = ByteBuffer.allocate(BUFFER_BYTES);
    long records = 0;
    int truncated = 0;
    for (Path f : files) {
      try (FileChannel ch = FileChannel.open(f, StandardOpenOption.READ)) {
        in.clear().flip();
        boolean eof = refill(ch, in);
        if (in.remaining() < TrafficFormat.HEADER_BYTES) {
          truncated++;
          continue;
        }
        byte[] magic = new byte[4];
        in.get(magic);
        int version = in.get();
        in.position(in.position() + 3);
        if (!Arrays.equals(magic, TrafficFormat.MAGIC)) {
          throw new IOException(f + ": not a wssguard recording (expected: WSGT header)");
        }
        if (version != TrafficFormat.VERSION) {
          throw new IOException(
              f
                  + ": recording format version "
                  + version
                  + " (expected: "
                  + TrafficFormat.VERSION
                  + ")");
        }
        long run = in.getLong();
        long ms = in.getLong();
        long runBase = runs.computeIfAbsent(run, r -> (long) runs.size() << 40);
        try {
          while (true) {
            // A whole record is in the buffer unless the file ends first.
            if (!eof && in.remaining() < TrafficFormat.MAX_RECORD_BYTES) {
              eof = refill(ch, in);
            }
            if (!in.hasRemaining()) {
              break;
            }
            int type = TrafficFormat.get(in);
            ms += TrafficFormat.readVarint(in);
            long conn = runBase | TrafficFormat.readVarint(in);
            switch (type) {
              case TrafficFormat.HANDSHAKE -> {
                RecordedHandshake h = TrafficFormat.readHandshake(in);
                visitor.handshake(conn, ms, h);
              }
              case TrafficFormat.FRAME -> {
                int flags = TrafficFormat.get(in) & 0xFF;
                long size = TrafficFormat.readVarint(in);
                visitor.frame(
                    conn,
                    ms,
                    (flags & TrafficFormat.FROM_BACKEND) == 0,
                    flags & 0x0F,
                    (flags & TrafficFormat.FIN) != 0,
                    (flags & TrafficFormat.RSV1) != 0,
                    size);
              }
              case TrafficFormat.END -> {
                int who = TrafficFormat.get(in);
                int code = TrafficFormat.readInt(in, 4999);
                visitor.end(conn, ms, who, code);
              }
              default -> throw new TrafficFormat.Malformed("record type " + type);
            }
            records++;
          }
        } catch (TrafficFormat.Malformed e) {
          truncated++;
        }
      }
    }
    return new Summary(files.size(), records, truncated);
  }
}
