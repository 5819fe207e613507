package io.wssguard.ban;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.wssguard.net.Cidr;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BanListTest {
  private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

  @TempDir Path dir;
  private final AtomicReference<Instant> now = new AtomicReference<>(T0);
  private final InstantSource clock = () -> now.get();

  private Path journal() {
    return dir.resolve("bans.journal");
  }

  private BanList open(List<Cidr> neverBan) throws IOException {
    return BanList.open(journal(), neverBan, clock, 1000);
  }

  private static Cidr cidr(String text) {
    return Cidr.parse(text);
  }

  private static InetAddress ip(String text) throws IOException {
    return InetAddress.getByName(text);
  }

  @Test
  void bannedBy_matchesExactAddressesAndBlocks_ipv4AndIpv6() throws Exception {
    try (BanList list = open(List.of())) {
      list.ban(
          cidr("203.0.113.7"),
          Duration.ofMinutes(15),
          "handshake flood",
          List.of("strike 1"),
          "test");
      list.ban(cidr("198.51.100.0/24"), Duration.ofMinutes(15), "scanner", List.of(), "test");
      list.ban(cidr("2001:db8:1::/48"), Duration.ofMinutes(15), "v6 block", List.of(), "test");
      list.ban(cidr("2001:db8:2::7"), Duration.ofMinutes(15), "v6 host", List.of(), "test");
      list.ban(cidr("10.0.0.0/9"), Duration.ofMinutes(15), "odd prefix", List.of(), "test");
      assertTrue(list.isBanned(ip("203.0.113.7"), T0));
      assertFalse(list.isBanned(ip("203.0.113.8"), T0));
      assertEquals("scanner", list.bannedBy(ip("198.51.100.255"), T0).orElseThrow().reason());
      assertFalse(list.isBanned(ip("198.51.101.0"), T0));
      assertTrue(list.isBanned(ip("2001:db8:1:ffff::1"), T0));
      assertFalse(list.isBanned(ip("2001:db8:3::1"), T0));
      assertTrue(list.isBanned(ip("2001:db8:2::7"), T0));
      assertFalse(list.isBanned(ip("2001:db8:2::8"), T0));
      assertTrue(list.isBanned(ip("10.127.255.255"), T0));
      assertFalse(list.isBanned(ip("10.128.0.0"), T0));
      // An IPv4 block never matches an IPv6 address with the same low bits, nor the other way
      // round.
      assertFalse(list.isBanned(ip("::cb00:7107"), T0));
      assertFalse(list.isBanned(ip("::c633:6401"), T0));
    }
  }

  @Test
  void ban_clearsHostBits_soTheSameBlockIsOneBan() throws Exception {
    try (BanList list = open(List.of())) {
      list.ban(new Cidr(ip("198.51.100.77"), 24), Duration.ofMinutes(1), "a", List.of(), "test");
      list.ban(cidr("198.51.100.0/24"), Duration.ofMinutes(1), "b", List.of(), "test");
      assertEquals(1, list.active(T0).size());
      assertEquals("198.51.100.0/24", list.active(T0).get(0).target().toString());
      assertTrue(list.unban(new Cidr(ip("198.51.100.1"), 24)));
    }
  }

  @Test
  void ban_extendsExistingBan_keepingTheLaterEndAndTheWholeHistory() throws Exception {
    try (BanList list = open(List.of())) {
      list.ban(cidr("203.0.113.7"), Duration.ofMinutes(30), "first", List.of("s1"), "test");
      now.set(T0.plusSeconds(60));
      Ban shorter =
          list.ban(cidr("203.0.113.7"), Duration.ofMinutes(5), "second", List.of("s2"), "test")
              .ban();
      assertEquals(T0.plus(Duration.ofMinutes(30)), shorter.until());
      assertEquals(List.of("s1", "s2"), shorter.history());
      assertEquals("second", shorter.reason());
      Ban longer =
          list.ban(cidr("203.0.113.7"), Duration.ofHours(2), "third", List.of("s3"), "test").ban();
      assertEquals(T0.plusSeconds(60).plus(Duration.ofHours(2)), longer.until());
      assertEquals(1, list.active(now.get()).size());
    }
  }

  @Test
  void ban_refusesTargetsOverlappingNeverBan_inBothDirections() throws Exception {
    try (BanList list = open(List.of(cidr("192.0.2.0/24"), cidr("2001:db8::1")))) {
      assertEquals(
          "not banning 192.0.2.9: it overlaps never-ban 192.0.2.0/24",
          list.ban(cidr("192.0.2.9"), Duration.ofMinutes(1), "inside", List.of(), "test")
              .refusal());
      assertEquals(
          "not banning 192.0.0.0/16: it overlaps never-ban 192.0.2.0/24",
          list.ban(cidr("192.0.0.0/16"), Duration.ofMinutes(1), "around", List.of(), "test")
              .refusal());
      assertEquals(
          "not banning 2001:db8::/64: it overlaps never-ban 2001:db8::1",
          list.ban(cidr("2001:db8::/64"), Duration.ofMinutes(1), "v6", List.of(), "test")
              .refusal());
      assertEquals(
          BanOutcome.Kind.MADE,
          list.ban(cidr("192.0.3.1"), Duration.ofMinutes(1), "beside", List.of(), "test").kind());
      assertEquals(1, list.active(T0).size());
    }
  }

  @Test
  void ban_rejectsNonPositiveDurationAndEverything() throws Exception {
    try (BanList list = open(List.of())) {
      assertThrows(
          IllegalArgumentException.class,
          () -> list.ban(cidr("192.0.2.1"), Duration.ZERO, "x", List.of(), "test"));
      assertThrows(
          IllegalArgumentException.class,
          () -> list.ban(cidr("0.0.0.0/0"), Duration.ofMinutes(1), "x", List.of(), "test"));
    }
  }

  @Test
  void journal_replaysBansUnbansAndExpiries_acrossReopen() throws Exception {
    try (BanList list = open(List.of())) {
      list.ban(
          cidr("203.0.113.7"),
          Duration.ofMinutes(15),
          "tab\there\nnewline \\ backslash",
          List.of("s 1", "s\t2"),
          "test");
      list.ban(cidr("203.0.113.8"), Duration.ofMinutes(15), "gone", List.of(), "test");
      list.ban(cidr("2001:db8::/32"), Duration.ofSeconds(10), "short", List.of(), "test");
      list.unban(cidr("203.0.113.8"));
      now.set(T0.plusSeconds(11));
      list.expire(now.get());
    }
    try (BanList list = open(List.of())) {
      List<Ban> active = list.active(now.get());
      assertEquals(1, active.size());
      Ban ban = active.get(0);
      assertEquals("tab\there\nnewline \\ backslash", ban.reason());
      assertEquals(List.of("s 1", "s\t2"), ban.history());
      assertEquals(T0.plus(Duration.ofMinutes(15)), ban.until());
    }
  }

  @Test
  void open_dropsBansThatEndedWhileClosed_andCompactsTheFile() throws Exception {
    try (BanList list = open(List.of())) {
      list.ban(cidr("203.0.113.7"), Duration.ofMinutes(1), "short", List.of(), "test");
      list.ban(cidr("203.0.113.8"), Duration.ofHours(1), "long", List.of(), "test");
      list.unban(cidr("203.0.113.9"));
      list.ban(cidr("203.0.113.9"), Duration.ofHours(1), "x", List.of(), "test");
      list.unban(cidr("203.0.113.9"));
    }
    now.set(T0.plus(Duration.ofMinutes(2)));
    try (BanList list = open(List.of())) {
      assertEquals(1, list.active(now.get()).size());
    }
    assertEquals(
        List.of(
            BanJournal.HEADER,
            "ban\t203.0.113.8\t"
                + T0.plus(Duration.ofHours(1)).toEpochMilli()
                + "\tlong\tstarted="
                + T0.toEpochMilli()
                + "\tby=test"),
        Files.readAllLines(journal()));
  }

  @Test
  void startAndMaker_surviveARestart_anExtensionKeepsTheStartAndNamesItsMaker() throws Exception {
    try (BanList list = open(List.of())) {
      list.ban(cidr("203.0.113.7"), Duration.ofMinutes(15), "first", List.of(), "strikes");
      now.set(T0.plus(Duration.ofMinutes(10)));
      Ban extended =
          list.ban(cidr("203.0.113.7"), Duration.ofHours(1), "again", List.of(), "admin API").ban();
      assertEquals(T0, extended.started(), "an extension keeps the start");
      list.ban(cidr("203.0.113.8"), Duration.ofHours(1), "later", List.of(), "console\tx");
    }
    try (BanList list = open(List.of())) {
      List<Ban> active = list.active(now.get());
      assertEquals(
          List.of(T0, T0.plus(Duration.ofMinutes(10))), active.stream().map(Ban::started).toList());
      assertEquals(List.of("admin API", "console\tx"), active.stream().map(Ban::by).toList());
    }
  }

  @Test
  void aVersion1Journal_isRead_withStartsUnknown_andRewrittenAsVersion2() throws Exception {
    long until = T0.plus(Duration.ofHours(1)).toEpochMilli();
    Files.writeString(
        journal(), "# wssguard bans v1\nban\t203.0.113.7\t" + until + "\tflood\tstrike 1\n");
    try (BanList list = open(List.of())) {
      Ban ban = list.active(T0).get(0);
      assertEquals(List.of("strike 1"), ban.history());
      assertNull(ban.started(), "a version 1 journal kept no start");
      assertNull(ban.by(), "nor who made it");
    }
    assertEquals(
        List.of(
            "# wssguard bans v2",
            "ban\t203.0.113.7\t" + until + "\tflood\tstrike 1\tstarted=?\tby="),
        Files.readAllLines(journal()));
  }

  @Test
  void aVersion2Line_readAsVersion1_keepsItsBanAndReason() throws Exception {
    // What an older wssguard does with this version's journal after a downgrade: started= and by=
    // are read as two more strikes, and nothing is lost or called damaged.
    String line =
        BanJournal.banLine(
            new Ban(
                cidr("203.0.113.7"), T0.plusSeconds(60), "flood", List.of("strike 1"), T0, "test"));
    Files.writeString(journal(), "# wssguard bans v1\n" + line);
    try (BanList list = open(List.of())) {
      Ban ban = list.active(T0).get(0);
      assertEquals("flood", ban.reason());
      assertEquals(List.of("strike 1", "started=" + T0.toEpochMilli(), "by=test"), ban.history());
      assertEquals(List.of(), list.journalDamage());
    }
  }

  @Test
  void journal_compactsWhenMuchLongerThanTheActiveSet() throws Exception {
    try (BanList list = BanList.open(journal(), List.of(), clock, 50)) {
      for (int i = 0; i < 200; i++) {
        list.ban(cidr("203.0.113.7"), Duration.ofMinutes(1), "again " + i, List.of(), "test");
        assertTrue(
            Files.readAllLines(journal()).size() <= 51, "grew past the compaction threshold");
      }
      assertEquals("again 199", list.active(T0).get(0).reason());
    }
    try (BanList list = open(List.of())) {
      assertEquals("again 199", list.active(T0).get(0).reason());
    }
  }

  @Test
  void open_skipsTruncatedLastLine_withoutNewline() throws Exception {
    try (BanList list = open(List.of())) {
      list.ban(cidr("203.0.113.7"), Duration.ofMinutes(15), "kept", List.of(), "test");
    }
    // A crash in the middle of the append: part of a line, no newline.
    Files.writeString(journal(), "ban\t203.0.113.8\t17672", StandardOpenOption.APPEND);
    try (BanList list = open(List.of())) {
      assertEquals(List.of("kept"), list.active(T0).stream().map(Ban::reason).toList());
      // The tail is gone after the rewrite at open, so later appends start on a clean line.
      list.ban(cidr("203.0.113.9"), Duration.ofMinutes(15), "after", List.of(), "test");
    }
    try (BanList list = open(List.of())) {
      assertEquals(2, list.active(T0).size());
    }
  }

  @Test
  void open_skipsGarbledLastLine_asAnInterruptedWrite_withoutCallingTheJournalDamaged()
      throws Exception {
    String good =
        BanJournal.banLine(
            new Ban(cidr("203.0.113.7"), T0.plusSeconds(60), "ok", List.of(), T0, "test"));
    Files.writeString(journal(), BanJournal.HEADER + "\n" + good + "bam\t203.0.113.8\n");
    try (BanList list = open(List.of())) {
      assertEquals(1, list.active(T0).size());
      assertEquals(List.of(), list.journalDamage());
      assertTrue(list.damagedCopy().isEmpty());
    }
  }

  @Test
  void open_keepsEveryValidLineOfADamagedJournal_movesItAside_andNamesEachBadLine()
      throws Exception {
    String good =
        BanJournal.banLine(
            new Ban(cidr("203.0.113.7"), T0.plusSeconds(60), "ok", List.of(), T0, "test"));
    String also =
        BanJournal.banLine(
            new Ban(cidr("198.51.100.0/24"), T0.plusSeconds(60), "too", List.of(), T0, "test"));
    String damaged =
        BanJournal.HEADER
            + "\n"
            + "bam\t203.0.113.8\n"
            + good
            + "ban\t10.0.0.1/33\t1\tr\n"
            + "ban\t10.0.0.1\tsoon\tr\n"
            + "unban\n"
            + also;
    Files.writeString(journal(), damaged);
    try (BanList list = open(List.of())) {
      assertEquals(List.of("too", "ok"), list.active(T0).stream().map(Ban::reason).toList());
      assertEquals(
          List.of(
              journal() + ":2: unknown event 'bam' (expected ban, unban or expire)",
              journal()
                  + ":4: target '10.0.0.1/33' is not an address or CIDR block"
                  + " (expected: prefix length 0..32)",
              journal() + ":5: until 'soon' is not epoch milliseconds",
              journal() + ":6: unban needs exactly a target (found 0 fields)"),
          list.journalDamage());
      Path aside = dir.resolve("bans.journal.damaged-20260101T000000Z");
      assertEquals(aside, list.damagedCopy().orElseThrow());
      assertEquals(damaged, Files.readString(aside), "the damaged file is kept as it was");
      list.ban(cidr("192.0.2.1"), Duration.ofMinutes(15), "after", List.of(), "test");
    }
    // The fresh journal is sound: the next open finds nothing to move aside.
    try (BanList list = open(List.of())) {
      assertEquals(List.of(), list.journalDamage());
      assertEquals(3, list.active(T0).size());
    }
    // A second damaged journal in the same second does not replace the first copy.
    Files.writeString(journal(), damaged);
    try (BanList list = open(List.of())) {
      assertEquals(
          dir.resolve("bans.journal.damaged-20260101T000000Z-2"), list.damagedCopy().orElseThrow());
    }
  }

  @Test
  void read_listsTheValidBans_andTheDamagedLines_withoutChangingTheFile() throws Exception {
    String good =
        BanJournal.banLine(
            new Ban(cidr("203.0.113.7"), T0.plusSeconds(60), "ok", List.of(), T0, "test"));
    String text = BanJournal.HEADER + "\nbam\n" + good;
    Files.writeString(journal(), text);
    BanList.Contents contents = BanList.read(journal(), T0);
    assertEquals(List.of("ok"), contents.active().stream().map(Ban::reason).toList());
    assertEquals(
        List.of(journal() + ":2: unknown event 'bam' (expected ban, unban or expire)"),
        contents.damage());
    assertEquals(text, Files.readString(journal()));
  }

  @Test
  void open_refusesASymbolicLinkAtTheJournalOrItsLock_andLeavesItsTargetAlone() throws Exception {
    Path victim = dir.resolve("victim");
    Files.writeString(victim, "precious\n");
    Files.createSymbolicLink(journal(), victim);
    IOException e = assertThrows(IOException.class, () -> open(List.of()));
    assertEquals(
        journal() + ": is a symbolic link; refusing to follow it (remove it)", e.getMessage());
    Files.delete(journal());

    Path lock = dir.resolve("bans.journal.lock");
    Files.delete(lock);
    Files.createSymbolicLink(lock, victim);
    e = assertThrows(IOException.class, () -> open(List.of()));
    assertEquals(
        lock
            + ": is a symbolic link, not a lock file; refusing to follow it (remove it if you did"
            + " not make it)",
        e.getMessage());
    assertEquals("precious\n", Files.readString(victim));
    assertFalse(Files.exists(journal(), java.nio.file.LinkOption.NOFOLLOW_LINKS));
  }

  @Test
  void compaction_removesALinkPlantedAtTheTemporaryName_insteadOfWritingThroughIt()
      throws Exception {
    Path victim = dir.resolve("victim");
    Files.writeString(victim, "precious\n");
    try (BanList list = BanList.open(journal(), List.of(), clock, 3)) {
      Files.createSymbolicLink(dir.resolve("bans.journal.tmp"), victim);
      for (int i = 0; i < 10; i++) {
        list.ban(cidr("203.0.113.7"), Duration.ofMinutes(15), "again " + i, List.of(), "test");
      }
    }
    assertEquals("precious\n", Files.readString(victim));
    assertFalse(
        Files.exists(dir.resolve("bans.journal.tmp"), java.nio.file.LinkOption.NOFOLLOW_LINKS));
    assertEquals("again 9", BanList.readActive(journal(), T0).get(0).reason());
    assertTrue(Files.readAllLines(journal()).size() < 10, "it was compacted");
  }

  @Test
  void open_refusesADirectoryOthersMayWrite_unlessSticky() throws Exception {
    Path shared = dir.resolve("shared");
    Files.createDirectory(shared);
    Files.setPosixFilePermissions(shared, PosixFilePermissions.fromString("rwxrwxr-x"));
    IOException e =
        assertThrows(
            IOException.class,
            () -> BanList.open(shared.resolve("bans.journal"), List.of(), clock, 1000));
    assertEquals(
        shared
            + ": writable by group or others (rwxrwxr-x) without the sticky bit; refusing to keep"
            + " a ban journal there (chmod go-w "
            + shared
            + ")",
        e.getMessage());
    assertFalse(Files.exists(shared.resolve("bans.journal.lock")));
    Files.setAttribute(shared, "unix:mode", 01777);
    BanList.open(shared.resolve("bans.journal"), List.of(), clock, 1000).close();
  }

  @Test
  void open_refusesSecondWriterOnTheSameJournal() throws Exception {
    try (BanList list = open(List.of())) {
      IOException e = assertThrows(IOException.class, () -> open(List.of()));
      assertTrue(e.getMessage().contains("in use by another wssguard process"), e.getMessage());
    }
    open(List.of()).close();
  }

  @Test
  void open_dropsJournalledBansThatNowOverlapNeverBan() throws Exception {
    try (BanList list = open(List.of())) {
      list.ban(cidr("192.0.2.7"), Duration.ofMinutes(15), "x", List.of(), "test");
      list.ban(cidr("198.51.100.7"), Duration.ofMinutes(15), "y", List.of(), "test");
    }
    try (BanList list = open(List.of(cidr("192.0.2.0/24")))) {
      assertEquals(List.of("y"), list.active(T0).stream().map(Ban::reason).toList());
    }
    assertEquals(1, BanList.readActive(journal(), T0).size());
  }

  @Test
  void expiredBans_areIgnoredByReads_beforeExpireRuns_andListenersHearOfChanges() throws Exception {
    List<List<Ban>> heard = new ArrayList<>();
    try (BanList list = open(List.of())) {
      list.addListener(heard::add);
      list.ban(cidr("203.0.113.0/24"), Duration.ofSeconds(2), "x", List.of(), "test");
      assertTrue(list.isBanned(ip("203.0.113.1"), T0.plusMillis(1999)));
      assertFalse(list.isBanned(ip("203.0.113.1"), T0.plusSeconds(2)));
      list.expire(T0.plusSeconds(1));
      assertEquals(1, heard.size(), "nothing expired yet, so nobody is told");
      now.set(T0.plusSeconds(3));
      list.expire(now.get());
      assertEquals(List.of(), list.active(T0));
      assertEquals(2, heard.size());
      assertEquals(List.of(), heard.get(1));
    }
    assertTrue(
        Files.readString(journal()).endsWith("\nexpire\t203.0.113.0/24\n"),
        Files.readString(journal()));
  }

  @Test
  void readActive_doesNotLock_andSkipsTheHalfWrittenTail() throws Exception {
    try (BanList list = open(List.of())) {
      list.ban(cidr("203.0.113.7"), Duration.ofMinutes(15), "x", List.of(), "test");
      Files.writeString(journal(), "ban\t1.2", StandardOpenOption.APPEND);
      assertEquals(1, BanList.readActive(journal(), T0).size());
    }
  }

  @Test
  void concurrentReadersAndWriters_seeConsistentAnswers() throws Exception {
    InetAddress always = ip("198.51.100.1");
    InetAddress never = ip("192.0.2.1");
    AtomicLong reads = new AtomicLong();
    ExecutorService pool = Executors.newFixedThreadPool(6);
    try (BanList list = BanList.open(journal(), List.of(cidr("192.0.2.0/24")), clock, 200)) {
      list.ban(cidr("198.51.100.0/24"), Duration.ofHours(1), "always", List.of(), "test");
      CountDownLatch start = new CountDownLatch(1);
      List<Future<?>> jobs = new ArrayList<>();
      for (int w = 0; w < 2; w++) {
        int id = w;
        jobs.add(
            pool.submit(
                () -> {
                  start.await();
                  for (int i = 0; i < 300; i++) {
                    Cidr t = cidr("10." + id + "." + (i / 250) + "." + (i % 250));
                    list.ban(t, Duration.ofMinutes(5), "w", List.of("s" + i), "test");
                    if (i % 3 == 0) {
                      list.unban(t);
                    }
                  }
                  return null;
                }));
      }
      for (int r = 0; r < 4; r++) {
        jobs.add(
            pool.submit(
                () -> {
                  start.await();
                  for (int i = 0; i < 50_000; i++) {
                    if (!list.isBanned(always, T0) || list.isBanned(never, T0)) {
                      throw new AssertionError("inconsistent read");
                    }
                    reads.incrementAndGet();
                  }
                  return null;
                }));
      }
      start.countDown();
      for (Future<?> job : jobs) {
        job.get(60, TimeUnit.SECONDS);
      }
      assertEquals(1 + 2 * 200, list.active(T0).size());
    } finally {
      pool.shutdownNow();
    }
    try (BanList list = open(List.of())) {
      assertEquals(1 + 2 * 200, list.active(T0).size());
    }
    assertEquals(200_000, reads.get());
  }
}
