package io.wssguard.traffic;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrafficReaderTest {
  @TempDir Path dir;

  /** Counts what it is handed, and checks that time never goes backwards. */
  private static final class Counts implements TrafficReader.Visitor {
    long handshakes;
    long frames;
    long ends;
    long lastMs;
    boolean backwards;

    private void at(long ms) {
      backwards |= ms < lastMs;
      lastMs = ms;
    }

    @Override
    public void handshake(long conn, long epochMs, RecordedHandshake handshake) {
      at(epochMs);
      handshakes++;
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
      at(epochMs);
      frames++;
    }

    @Override
    public void end(long conn, long epochMs, int who, int code) {
      at(epochMs);
      ends++;
    }
  }

  /** 50 clients at 100 messages/s (echoed) for a minute: 600,000 frames, a few MB in 1 file. */
  private long record() throws Exception {
    SyntheticRecording r = new SyntheticRecording();
    for (int i = 0; i < 50; i++) {
      r.client("10.0.0." + i, "/", 100, 1000);
    }
    return r.write(dir, 60);
  }

  @Test
  void read_streamsAFileManyTimesItsBuffer_everyRecordInOrder() throws Exception {
    long messages = record();
    Path file = TrafficReader.files(dir).get(0);
    assertTrue(Files.size(file) > 3 << 20, "size " + Files.size(file));
    Counts c = new Counts();
    TrafficReader.Summary s = TrafficReader.read(dir, c);
    assertEquals(new TrafficReader.Summary(1, 100 + 2 * messages, 0), s);
    assertEquals(50, c.handshakes);
    assertEquals(2 * messages, c.frames);
    assertEquals(50, c.ends);
    assertEquals(false, c.backwards);
  }

  @Test
  void read_aFileCutShortPastItsFirstBuffer_endsAtItsLastWholeRecord() throws Exception {
    long messages = record();
    Path file = TrafficReader.files(dir).get(0);
    // The last record is an end record of 6 bytes (type, delta, connection, who, two for the
    // code): cut into it.
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
      ch.truncate(ch.size() - 2);
    }
    Counts c = new Counts();
    TrafficReader.Summary s = TrafficReader.read(dir, c);
    assertEquals(new TrafficReader.Summary(1, 100 + 2 * messages - 1, 1), s);
    assertEquals(49, c.ends);
  }
}
