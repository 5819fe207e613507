package io.wssguard.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The packaged jar's {@code run} on a ban journal with a garbage line in the middle: before, the
 * proxy exited 1 (and systemd restarted it for ever); now it keeps the valid bans, moves the file
 * aside, says so once, counts it, and serves.
 */
class DamagedJournalIT {
  private static final Path JAR = Path.of("target/wssguard.jar").toAbsolutePath();

  @TempDir Path dir;

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  private static Thread collect(InputStream in, BlockingQueue<String> lines) {
    Thread t =
        new Thread(
            () -> {
              try (BufferedReader r =
                  new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
                for (String line = r.readLine(); line != null; line = r.readLine()) {
                  lines.add(line);
                }
              } catch (IOException e) {
                // the process ended
              }
            });
    t.start();
    return t;
  }

  /** The first line containing {@code fragment} within 20 seconds, or null. */
  private static String await(BlockingQueue<String> lines, String fragment)
      throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (System.nanoTime() < deadline) {
      String line = lines.poll(100, TimeUnit.MILLISECONDS);
      if (line != null && line.contains(fragment)) {
        return line;
      }
    }
    return null;
  }

  @Test
  void proxyStarts_onAJournalWithAGarbageMiddleLine_enforcingTheValidBans() throws Exception {
    int port = freePort();
    int demoPort = freePort();
    int adminPort = freePort();
    Path journal = dir.resolve("state/bans.journal");
    Files.createDirectories(journal.getParent());
    long until = System.currentTimeMillis() + 3_600_000;
    String damaged =
        "# wssguard bans v1\n"
            + "ban\t127.0.0.41\t"
            + until
            + "\tbefore the damage\n"
            + "\u0000\u0000garbage\u0000\n"
            + "ban\t127.0.0.42\t"
            + until
            + "\tafter the damage\n";
    Files.writeString(journal, damaged);
    Files.writeString(
        dir.resolve("wssguard.yaml"),
        PlainDemoConfig.yaml(port, demoPort)
            + """
        admin:
          bind: 127.0.0.1:%d
        bans:
          journal: state/bans.journal
        """
                .formatted(adminPort));
    Process p =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar",
                JAR.toString(),
                "run",
                "--config",
                "wssguard.yaml")
            .directory(dir.toFile())
            .start();
    BlockingQueue<String> out = new LinkedBlockingQueue<>();
    BlockingQueue<String> err = new LinkedBlockingQueue<>();
    Thread outReader = collect(p.getInputStream(), out);
    Thread errReader = collect(p.getErrorStream(), err);
    try {
      String started = await(out, "started");
      assertTrue(started != null, "the proxy starts; stderr: " + List.copyOf(err));
      String error = await(err, "ban journal is DAMAGED");
      assertEquals(
          "SEVERE io.wssguard.ban.BanJournal: "
              + journal
              + ": ban journal is DAMAGED; skipped 1 line(s): "
              + journal
              + ":3: control character or invalid UTF-8 at column 1. Kept the 2 active ban(s) of"
              + " the valid lines, moved the damaged file to "
              + journal
              + ".damaged-",
          error.substring(error.indexOf("SEVERE"), error.lastIndexOf(".damaged-") + 9),
          error);

      for (String banned : List.of("127.0.0.41", "127.0.0.42")) {
        assertEquals(RawClient.CLOSED, RawClient.upgradeStatus(port, banned, "/"), banned);
      }
      try (RawClient c = RawClient.connect(port, false, "127.0.0.43")) {
        assertEquals(101, RawClient.status(c.request(RawClient.upgradeRequest("/"))));
      }

      List<Path> aside;
      try (Stream<Path> files = Files.list(journal.getParent())) {
        aside =
            files
                .filter(f -> f.getFileName().toString().startsWith("bans.journal.damaged-"))
                .toList();
      }
      assertEquals(1, aside.size(), aside.toString());
      assertEquals(damaged, Files.readString(aside.get(0)), "the damaged file, unchanged");
      assertTrue(
          error.endsWith(aside.get(0) + " and wrote a fresh journal"), "the error names the copy");
      String fresh = Files.readString(journal);
      assertTrue(fresh.startsWith("# wssguard bans v1\n"), fresh);
      assertTrue(fresh.contains("ban\t127.0.0.41\t") && fresh.contains("ban\t127.0.0.42\t"), fresh);
      assertTrue(!fresh.contains("garbage"), fresh);

      String metrics =
          new AdminClient("http://127.0.0.1:" + adminPort, null)
              .send("GET", "/metrics", null)
              .body();
      assertTrue(
          metrics.lines().anyMatch(l -> l.equals("wssguard_ban_journal_damaged_total 1.0")),
          metrics);
    } finally {
      p.destroy();
      assertTrue(p.waitFor(30, TimeUnit.SECONDS));
      outReader.join(5000);
      errReader.join(5000);
    }
  }
}
