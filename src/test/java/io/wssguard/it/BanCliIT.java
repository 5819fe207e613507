package io.wssguard.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code wssguard ban} and {@code wssguard firewall render} from the packaged jar, against a
 * journal in a temp dir.
 */
class BanCliIT {

  @TempDir Path dir;

  private JarRun wssguard(String... args) throws Exception {
    return JarRun.run(dir, args);
  }

  @Test
  void addListRemove_andRender() throws Exception {
    String journal = dir.resolve("bans.journal").toString();
    JarRun add =
        wssguard(
            "ban",
            "add",
            "203.0.113.7",
            "--for",
            "15m",
            "--reason",
            "handshake flood",
            "--journal",
            journal);
    assertEquals(0, add.exit(), add.err());
    assertTrue(add.out().startsWith("banned 203.0.113.7\tuntil "), add.out());
    assertEquals(
        0,
        wssguard(
                "ban",
                "add",
                "2001:db8::/48",
                "--for",
                "1h",
                "--reason",
                "v6",
                "--journal",
                journal)
            .exit());

    JarRun list = wssguard("ban", "list", "--journal", journal);
    assertEquals(0, list.exit(), list.err());
    String[] lines = list.out().strip().split("\n", -1);
    assertEquals(2, lines.length, list.out());
    assertTrue(
        lines[0].matches("203\\.0\\.113\\.7\tuntil \\S+\thandshake flood\t\\[by hand]"), lines[0]);
    assertTrue(lines[1].startsWith("2001:db8::/48\tuntil "), lines[1]);

    JarRun render =
        wssguard(
            "firewall", "render", "--backend", "nftables", "--port", "443", "--journal", journal);
    assertEquals(0, render.exit(), render.err());
    // 15 minutes less the seconds since the ban: each CLI run in between is a JVM start, which on
    // a loaded machine takes seconds, so up to a minute may have passed.
    assertTrue(
        render.out().matches("(?s).*elements = \\{ 203\\.0\\.113\\.7 timeout (8[4-9][0-9]|900)s.*"),
        render.out());
    assertTrue(render.out().contains("elements = { 2001:db8::/48 timeout 3"), render.out());

    JarRun remove = wssguard("ban", "remove", "203.0.113.7", "--journal", journal);
    assertEquals(0, remove.exit(), remove.err());
    assertEquals(1, wssguard("ban", "list", "--journal", journal).out().split("\n").length);
    assertEquals(1, wssguard("ban", "remove", "203.0.113.7", "--journal", journal).exit());
  }

  @Test
  void banList_onADamagedJournal_printsTheValidBans_namesEachBadLine_andExits1() throws Exception {
    Path journal = dir.resolve("bans.journal");
    long until = System.currentTimeMillis() + 3_600_000;
    Files.writeString(
        journal,
        "# wssguard bans v1\n"
            + "ban\t203.0.113.7\t"
            + until
            + "\tkept\n"
            + "garbage in the middle\n"
            + "ban\t198.51.100.7\t"
            + until
            + "\talso kept\n");
    JarRun list = wssguard("ban", "list", "--journal", journal.toString());
    assertEquals(1, list.exit(), list.err());
    String[] lines = list.out().strip().split("\n", -1);
    assertEquals(2, lines.length, list.out());
    assertTrue(lines[0].startsWith("198.51.100.7\tuntil "), list.out());
    assertTrue(lines[1].startsWith("203.0.113.7\tuntil "), list.out());
    assertEquals(
        "ban list: "
            + journal
            + ":3: unknown event 'garbage in the middle' (expected ban, unban or expire)"
            + " (line skipped)\n"
            + "ban list: "
            + journal
            + " is damaged (1 line(s) skipped, the bans above are from the valid lines); the proxy"
            + " or 'wssguard ban add|remove' moves it aside to bans.journal.damaged-<time> and"
            + " writes a fresh journal when it next opens it\n",
        list.err());
  }

  @Test
  void malformedCidr_exits2_withTheWholeMessage() throws Exception {
    JarRun run =
        wssguard(
            "ban",
            "add",
            "10.0.0.1/33",
            "--for",
            "15m",
            "--reason",
            "x",
            "--journal",
            dir.resolve("j").toString());
    assertEquals(2, run.exit());
    assertTrue(
        run.err()
            .startsWith(
                "ban add: '10.0.0.1/33' is not an address or CIDR block"
                    + " (expected: prefix length 0..32)\n"),
        run.err());
  }

  @Test
  void blockWithHostBits_exits2_namingTheCorrectedBlock_insteadOfMaskingIt() throws Exception {
    JarRun run =
        wssguard(
            "ban",
            "add",
            "10.1.2.3/8",
            "--for",
            "15m",
            "--reason",
            "x",
            "--journal",
            dir.resolve("j").toString());
    assertEquals(2, run.exit());
    assertTrue(
        run.err()
            .startsWith(
                "ban add: '10.1.2.3/8' is not an address or CIDR block"
                    + " (expected: 10.0.0.0/8, the block's first address)\n"),
        run.err());
    assertFalse(Files.exists(dir.resolve("j")), "nothing was journalled");
  }

  @Test
  void durationOverAYear_exits2_withTheRange() throws Exception {
    JarRun run =
        wssguard(
            "ban",
            "add",
            "10.0.0.1",
            "--for",
            "999999d",
            "--reason",
            "x",
            "--journal",
            dir.resolve("j").toString());
    assertEquals(2, run.exit());
    assertTrue(
        run.err().startsWith("ban add: --for '999999d' (expected: duration like 5s, 1 s..365 d)\n"),
        run.err());
  }
}
