package io.wssguard.traffic;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.wssguard.time.ManualTicker;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrafficRecorderTest {
  @TempDir Path dir;
  private final ManualTicker clock = new ManualTicker();

  /** Every record read back, one line each. */
  private static final class Lines implements TrafficReader.Visitor {
    final List<String> lines = new ArrayList<>();

    @Override
    public void handshake(long conn, long epochMs, RecordedHandshake h) {
      lines.add("handshake " + conn + " " + epochMs + " " + h);
    }

    @Override
    public void frame(
        long conn,
        long epochMs,
        boolean fromClient,
        int opcode,
        boolean fin,
        boolean rsv1,
        long size) {
      lines.add(
          "frame "
              + conn
              + " "
              + epochMs
              + " "
              + fromClient
              + " "
              + opcode
              + " "
              + fin
              + " "
              + rsv1
              + " "
              + size);
    }

    @Override
    public void end(long conn, long epochMs, int who, int code) {
      lines.add("end " + conn + " " + epochMs + " " + who + " " + code);
    }
  }

  private TrafficRecorder recorder(long maxBytes, long segmentBytes, int capacity) {
    return new TrafficRecorder(dir, maxBytes, segmentBytes, 1.0, capacity, clock);
  }

  private static RecordedHandshake handshake(String peer) throws IOException {
    return new RecordedHandshake(
        InetAddress.getByName(peer),
        "/chat",
        "/chat/room",
        101,
        "https://app.example.com",
        "v1.chat, v2.chat",
        null,
        "host,origin,upgrade",
        312);
  }

  private Lines readBack() throws IOException {
    Lines lines = new Lines();
    TrafficReader.read(dir, lines);
    return lines;
  }

  @Test
  void roundTrip_readsBackEveryRecordWithItsTime() throws Exception {
    long start = clock.instant().toEpochMilli();
    TrafficRecorder r = recorder(1 << 20, 1 << 20, 64);
    long conn = r.handshake(handshake("192.0.2.7"));
    ConnectionTap tap = r.connection(conn);
    clock.advance(Duration.ofMillis(5));
    tap.fromClient().frame(1, 11, false, true);
    clock.advance(Duration.ofMillis(300));
    tap.fromClient().frame(0, 70_000, true, false);
    tap.fromBackend().frame(2, 3, true, false);
    tap.fromClient().frame(9, 0, true, false);
    clock.advance(Duration.ofSeconds(2));
    tap.ended(TrafficRecorder.CLOSED_BY_CLIENT, 1000);
    tap.ended(TrafficRecorder.CLOSED_BY_PROXY, 1006); // only the first end counts
    r.close();

    assertEquals(
        List.of(
            "handshake 1 " + start + " " + handshake("192.0.2.7"),
            "frame 1 " + (start + 5) + " true 1 false true 11",
            "frame 1 " + (start + 305) + " true 0 true false 70000",
            "frame 1 " + (start + 305) + " false 2 true false 3",
            "frame 1 " + (start + 305) + " true 9 true false 0",
            "end 1 " + (start + 2305) + " 0 1000"),
        readBack().lines);
    assertEquals(6, r.written());
    assertEquals(0, r.dropped());
  }

  @Test
  void roundTrip_keepsIpv6PeersAndAbsentHeaders() throws Exception {
    TrafficRecorder r = recorder(1 << 20, 1 << 20, 64);
    RecordedHandshake h =
        new RecordedHandshake(
            InetAddress.getByName("2001:db8::1"),
            "/",
            "/",
            429,
            null,
            null,
            "198.51.100.1",
            "",
            90);
    r.handshake(h);
    r.close();
    assertEquals(
        List.of("handshake 1 " + clock.instant().toEpochMilli() + " " + h), readBack().lines);
  }

  @Test
  void truncatedFile_endsAtItsLastWholeRecord() throws Exception {
    TrafficRecorder r = recorder(1 << 20, 1 << 20, 64);
    ConnectionTap tap = r.connection(r.handshake(handshake("192.0.2.7")));
    for (int i = 0; i < 10; i++) {
      tap.fromClient().frame(2, 1000 + i, true, false);
    }
    r.close();
    Path file = TrafficReader.files(dir).get(0);
    try (FileChannel f = FileChannel.open(file, StandardOpenOption.WRITE)) {
      f.truncate(f.size() - 1); // the last frame's size varint loses its last byte
    }

    Lines lines = new Lines();
    TrafficReader.Summary summary = TrafficReader.read(dir, lines);

    assertEquals(new TrafficReader.Summary(1, 10, 1), summary);
    assertEquals(10, lines.lines.size());
    assertTrue(lines.lines.get(9).endsWith(" 1008"), lines.lines.get(9));
  }

  @Test
  void rotation_keepsTheDirectoryWithinMaxBytes_deletingTheOldestFirst() throws Exception {
    TrafficRecorder r = recorder(2048, 512, 8192);
    ConnectionTap tap = r.connection(r.handshake(handshake("192.0.2.7")));
    for (int i = 0; i < 2000; i++) {
      tap.fromClient().frame(2, i, true, false);
    }
    r.close();

    List<Path> files = TrafficReader.files(dir);
    long total = 0;
    for (Path f : files) {
      total += Files.size(f);
      assertTrue(Files.size(f) <= 512, f + " " + Files.size(f));
    }
    assertTrue(total <= 2048, "total " + total);
    assertTrue(files.size() >= 3, "files " + files);
    assertTrue(!files.get(0).getFileName().toString().endsWith("-000001.wsgt"), "oldest kept");
    List<String> lines = readBack().lines;
    assertTrue(lines.get(lines.size() - 1).endsWith(" 1999"), lines.get(lines.size() - 1));
    assertEquals(2001, r.written());
  }

  @Test
  void fullQueue_dropsAndCountsRecords_withoutWaiting() throws Exception {
    TrafficRecorder r = recorder(1 << 20, 1 << 20, 4); // no writer thread: nothing drains the ring
    ConnectionTap tap = r.connection(r.handshake(handshake("192.0.2.7")));
    for (int i = 0; i < 9; i++) {
      tap.fromClient().frame(2, i, true, false);
    }

    assertEquals(6, r.dropped());
    r.close();
    assertEquals(4, r.written());
    assertEquals(4, readBack().lines.size());
  }

  @Test
  void files_areReadableByOwnerAndGroupOnly() throws Exception {
    TrafficRecorder r = recorder(1 << 20, 1 << 20, 64);
    r.handshake(handshake("192.0.2.7"));
    r.close();
    assertEquals(
        "rw-r-----",
        PosixFilePermissions.toString(
            Files.getPosixFilePermissions(TrafficReader.files(dir).get(0))));
  }

  @Test
  void read_refusesAFileThatIsNotARecording_namingIt() throws Exception {
    Path bogus = dir.resolve("traffic-0000000000000-000001.wsgt");
    Files.writeString(bogus, "not a recording, but long enough to have a header");
    IOException e = assertThrows(IOException.class, () -> readBack());
    assertEquals(bogus + ": not a wssguard recording (expected: WSGT header)", e.getMessage());
  }

  @Test
  void read_refusesADirectoryWithoutRecordings() {
    IOException e = assertThrows(IOException.class, () -> readBack());
    assertEquals(dir + ": no recording files (expected: traffic-*.wsgt)", e.getMessage());
  }

  @Test
  void start_refusesADirectoryOthersMayWrite() throws Exception {
    Path shared = Files.createDirectory(dir.resolve("shared"));
    Files.setPosixFilePermissions(shared, PosixFilePermissions.fromString("rwxrwxrwx"));
    TrafficRecorder r =
        new TrafficRecorder(shared, 1 << 30, 1 << 20, 1.0, TrafficRecorder.DEFAULT_CAPACITY, clock);
    java.io.UncheckedIOException e = assertThrows(java.io.UncheckedIOException.class, r::start);
    assertEquals(
        "record.dir "
            + shared
            + ": "
            + shared
            + ": writable by group or others (rwxrwxrwx); refusing to keep a traffic recording"
            + " there (chmod go-w "
            + shared
            + ")",
        e.getMessage());
  }
}
