package io.wssguard.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.wssguard.testing.FreePort;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The packaged jar's {@code run} on a ban journal with a garbage line in the middle: before, the
 * proxy exited 1 (and systemd restarted it for ever); now it keeps the valid bans, moves the file
 * aside, says so once, counts it, and serves.
 */
class DamagedJournalIT {
  @TempDir Path dir;

  @Test
  void proxyStarts_onAJournalWithAGarbageMiddleLine_enforcingTheValidBans() throws Exception {
    int port = FreePort.next();
    int adminPort = FreePort.next();
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
        PlainDemoConfig.yaml(port)
            + """
        admin:
          bind: 127.0.0.1:%d
        bans:
          journal: state/bans.journal
        """
                .formatted(adminPort));
    try (JarProxy proxy = JarProxy.start(dir, "wssguard.yaml")) {
      String error = proxy.awaitErr("ban journal is DAMAGED");
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
      assertTrue(fresh.startsWith("# wssguard bans v2\n"), fresh);
      assertTrue(fresh.contains("ban\t127.0.0.41\t") && fresh.contains("ban\t127.0.0.42\t"), fresh);
      assertTrue(!fresh.contains("garbage"), fresh);

      String metrics =
          new AdminClient("http://127.0.0.1:" + adminPort, null)
              .send("GET", "/metrics", null)
              .body();
      assertTrue(
          metrics.lines().anyMatch(l -> l.equals("wssguard_ban_journal_damaged_total 1.0")),
          metrics);
    }
  }
}
