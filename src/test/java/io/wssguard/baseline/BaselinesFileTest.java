package io.wssguard.baseline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.wssguard.baseline.RouteBaseline.PerSource;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BaselinesFileTest {
  @TempDir Path dir;

  private static Baselines learned() {
    Baselines all = new Baselines();
    RouteBaseline chat = all.route("/chat");
    for (int s = 0; s < 30; s++) {
      String source = "10.0.0." + s;
      chat.handshake(source, 1_000L * s, true);
      for (int w = 1; w <= 20; w++) {
        chat.connectionWindow(source, w + s % 3, w);
        chat.message(source, 100L * w);
      }
      chat.closed(source, 1_000L * s + 20_000);
    }
    chat.foldAll();
    all.route("/feed").handshake("10.0.9.9", 0, false);
    all.route("/feed").foldAll();
    return all;
  }

  @Test
  void writeThenRead_givesTheSameFiguresAndCounts() throws IOException {
    Baselines before = learned();
    Path file = dir.resolve("baselines.bin");
    before.write(file);
    assertEquals("rw-r-----", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
    Baselines after = Baselines.read(file);
    assertEquals(List.of("/chat", "/feed"), List.copyOf(after.routes().keySet()));
    for (String route : List.of("/chat", "/feed")) {
      RouteBaseline b = before.route(route);
      RouteBaseline a = after.route(route);
      assertEquals(b.coverage(), a.coverage());
      for (Measure m : Measure.values()) {
        for (double q : new double[] {0.5, 0.9, 0.99}) {
          assertEquals(b.all(m).quantile(q), a.all(m).quantile(q), 1e-3, m + " " + q);
          for (PerSource p : PerSource.values()) {
            assertEquals(
                b.perSource(m, p).quantile(q),
                a.perSource(m, p).quantile(q),
                1e-3,
                m + " " + p + " " + q);
          }
        }
      }
    }
    assertEquals(20 * 30, after.route("/chat").all(Measure.MESSAGE_BYTES).count());
    // Written again, the same bytes: nothing lost or reordered on the way through.
    Path again = dir.resolve("again.bin");
    after.write(again);
    assertEquals(Files.size(file), Files.size(again));
  }

  @Test
  void read_refusesADamagedFile_namingIt() throws IOException {
    Path file = dir.resolve("baselines.bin");
    learned().write(file);
    byte[] bytes = Files.readAllBytes(file);
    bytes[bytes.length / 2] ^= 0x40;
    Files.write(file, bytes);
    IOException e = assertThrows(IOException.class, () -> Baselines.read(file));
    assertEquals(file + ": damaged (checksum does not match)", e.getMessage());
  }

  @Test
  void read_refusesAnotherVersionOrKindOfFile_andOneCutShort() throws IOException {
    Path file = dir.resolve("baselines.bin");
    learned().write(file);
    byte[] bytes = Files.readAllBytes(file);

    byte[] v2 = bytes.clone();
    v2[4] = 2;
    Files.write(file, v2);
    assertEquals(
        file + ": baseline format version 2 (expected: 1)",
        assertThrows(IOException.class, () -> Baselines.read(file)).getMessage());

    Files.writeString(file, "policies: {}\n");
    assertEquals(
        file + ": not a wssguard baseline file (expected: WSGB header)",
        assertThrows(IOException.class, () -> Baselines.read(file)).getMessage());

    Files.write(file, Arrays.copyOf(bytes, 10));
    assertEquals(
        file + ": cut short",
        assertThrows(IOException.class, () -> Baselines.read(file)).getMessage());
  }

  @Test
  void merge_addsRouteByRoute() {
    Baselines a = learned();
    a.merge(learned());
    assertEquals(60, a.route("/chat").coverage().connections());
    assertEquals(60, a.route("/chat").coverage().sources());
    assertEquals(0, a.route("/feed").coverage().connections());
  }
}
