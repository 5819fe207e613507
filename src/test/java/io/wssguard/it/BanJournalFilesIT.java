package io.wssguard.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The packaged jar's {@code wssguard ban} run as root on a state directory that belongs to a
 * service account, the way an operator runs it on a server: what the account can plant there (a
 * symbolic link at the journal's lock, temporary or own name) must not make root write another
 * file, and what root creates there must stay writable by the account. Needs root (it creates the
 * account {@value #ACCOUNT} if absent and runs commands as it with {@code setpriv}).
 */
class BanJournalFilesIT {
  static final String ACCOUNT = "wssguard-it";

  @TempDir Path tmp;
  private Path state;
  private Path journal;
  private Path victim;

  private JarRun exec(List<String> command) throws Exception {
    return JarRun.exec(tmp, command);
  }

  /** {@code command} as the service account. */
  private JarRun asAccount(String... command) throws Exception {
    List<String> cmd =
        new ArrayList<>(
            List.of("setpriv", "--reuid=" + ACCOUNT, "--regid=" + ACCOUNT, "--clear-groups", "--"));
    cmd.addAll(List.of(command));
    return exec(cmd);
  }

  private static List<String> wssguard(String... args) {
    return JarRun.command(List.of(), args);
  }

  private JarRun banAdd(String target) throws Exception {
    return exec(
        wssguard(
            "ban",
            "add",
            target,
            "--for",
            "15m",
            "--reason",
            "by root",
            "--journal",
            journal.toString()));
  }

  @BeforeEach
  void stateDirectoryOwnedByTheServiceAccount() throws Exception {
    assumeTrue(
        "root".equals(System.getProperty("user.name")),
        "needs root: creates a system user and runs as it");
    if (exec(List.of("id", "-u", ACCOUNT)).exit() != 0) {
      JarRun add =
          exec(
              List.of(
                  "useradd",
                  "--system",
                  "--user-group",
                  "--no-create-home",
                  "--shell",
                  "/usr/sbin/nologin",
                  ACCOUNT));
      assertEquals(0, add.exit(), add.err());
    }
    // The temp dir is 0700 root: let the account reach its own directory inside it.
    Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxr-xr-x"));
    state = tmp.resolve("state");
    Files.createDirectory(state);
    Files.setPosixFilePermissions(state, PosixFilePermissions.fromString("rwxr-x---"));
    assertEquals(0, exec(List.of("chown", ACCOUNT + ":" + ACCOUNT, state.toString())).exit());
    journal = state.resolve("bans.journal");
    victim = tmp.resolve("victim");
    Files.writeString(victim, "root's file\n");
  }

  private void plantLink(String name) throws Exception {
    JarRun ln = asAccount("ln", "-s", victim.toString(), state.resolve(name).toString());
    assertEquals(0, ln.exit(), ln.err());
  }

  /** What {@code ban add --journal} prints when the journal refuses (no proxy is asked). */
  private static String journalRefused(String why) {
    return "ban add: nothing done: neither the running proxy nor the ban journal works:\n"
        + "  running proxy: not asked (--journal alone edits only that journal; --config names a"
        + " proxy)\n"
        + "  ban journal: "
        + why
        + "\n"
        + BanCliIT.ADVICE;
  }

  private static String owner(Path file) throws Exception {
    return Files.getOwner(file, LinkOption.NOFOLLOW_LINKS).getName();
  }

  @Test
  void banAddAsRoot_refuses_whenTheLockIsALinkTheAccountPlanted() throws Exception {
    plantLink("bans.journal.lock");
    JarRun run = banAdd("203.0.113.7");
    assertEquals(1, run.exit(), run.err());
    assertEquals(
        journalRefused(
            state.resolve("bans.journal.lock")
                + ": is a symbolic link, not a lock file; refusing to follow it (remove it if you"
                + " did not make it)"),
        run.err());
    assertEquals("root's file\n", Files.readString(victim));
    assertEquals("root", owner(victim));
    assertFalse(Files.exists(journal, LinkOption.NOFOLLOW_LINKS));
  }

  @Test
  void banAddAsRoot_removesALinkAtTheTemporaryName_andNeverWritesThroughIt() throws Exception {
    plantLink("bans.journal.tmp");
    JarRun run = banAdd("203.0.113.7");
    assertEquals(0, run.exit(), run.err());
    assertTrue(run.out().startsWith("banned 203.0.113.7\tuntil "), run.out());
    assertTrue(
        run.err()
            .contains(
                state.resolve("bans.journal.tmp")
                    + ": removed a leftover (not opened) before replacing "),
        run.err());
    assertEquals("root's file\n", Files.readString(victim));
    assertEquals("root", owner(victim));
    assertFalse(Files.isSymbolicLink(journal));
    assertTrue(Files.readString(journal).contains("ban\t203.0.113.7\t"));
  }

  @Test
  void banAddAsRoot_refuses_whenTheJournalIsALinkTheAccountPlanted() throws Exception {
    plantLink("bans.journal");
    JarRun run = banAdd("203.0.113.7");
    assertEquals(1, run.exit(), run.err());
    assertEquals(
        journalRefused(journal + ": is a symbolic link; refusing to follow it (remove it)"),
        run.err());
    assertEquals("root's file\n", Files.readString(victim));
    assertTrue(Files.isSymbolicLink(journal), "the link is left for the operator to see");
  }

  @Test
  void banAddAsRoot_givesWhatItCreatesToTheDirectorysOwner_soTheServiceCanStillWrite()
      throws Exception {
    JarRun run = banAdd("203.0.113.7");
    assertEquals(0, run.exit(), run.err());
    assertEquals(ACCOUNT, owner(journal));
    assertEquals(ACCOUNT, owner(state.resolve("bans.journal.lock")));
    assertEquals(
        "rw-r-----", PosixFilePermissions.toString(Files.getPosixFilePermissions(journal)));

    JarRun asService =
        asAccount(
            wssguard(
                    "ban",
                    "add",
                    "198.51.100.7",
                    "--for",
                    "1h",
                    "--reason",
                    "by the service",
                    "--journal",
                    journal.toString())
                .toArray(new String[0]));
    assertEquals(0, asService.exit(), asService.err());
    JarRun list = exec(wssguard("ban", "list", "--journal", journal.toString()));
    assertEquals(2, list.out().split("\n").length, list.out());
  }

  @Test
  void banAdd_refusesADirectoryTheServiceGroupMayWrite_withoutTheStickyBit() throws Exception {
    Files.setPosixFilePermissions(state, PosixFilePermissions.fromString("rwxrwx---"));
    JarRun run = banAdd("203.0.113.7");
    assertEquals(1, run.exit(), run.err());
    assertEquals(
        journalRefused(
            state
                + ": writable by group or others (rwxrwx---) without the sticky bit; refusing to"
                + " keep a ban journal there (chmod go-w "
                + state
                + ")"),
        run.err());
    assertFalse(Files.exists(journal));
  }
}
