package io.wssguard.firewall;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.wssguard.ban.BanList;
import io.wssguard.ban.JournalBans;
import io.wssguard.net.Cidr;
import io.wssguard.testing.Await;
import io.wssguard.testing.CapturedLog;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The update loop without a kernel: the rules file, coalescing, and failures (the kernel side is in
 * the netns ITs).
 */
class FirewallSyncTest {
  @TempDir Path dir;
  private JournalBans bans;
  private CapturedLog logged;

  @AfterEach
  void close() throws Exception {
    if (logged != null) {
      logged.close();
    }
    if (bans != null) {
      bans.close();
    }
  }

  @Test
  void rulesFile_holdsTheReplayedBansAtStart_andABurstBecomesOneUpdate() throws Exception {
    Path journal = dir.resolve("bans.journal");
    try (BanList list = BanList.open(journal, List.of())) {
      list.ban(
          Cidr.parse("203.0.113.7"),
          Duration.ofMinutes(10),
          "before the restart",
          List.of(),
          "test");
    }
    bans = JournalBans.open(journal, List.of());
    Path rules = dir.resolve("out/firewall.rules");
    FirewallConfig cfg = FirewallConfig.of(FirewallConfig.Backend.NFTABLES, List.of(8443));
    FirewallSync sync = FirewallSync.start(bans, cfg, rules, new FirewallApplier());

    // An update counts once its write returned, a moment after the file can be read.
    Await.until(
        () ->
            Files.exists(rules)
                && read(rules).contains("203.0.113.7 timeout")
                && sync.updates() >= 1,
        Duration.ofSeconds(10),
        "replayed ban in " + rules);
    assertEquals(1, sync.updates());
    for (int i = 1; i <= 20; i++) {
      bans.ban(
          InetAddress.getByName("198.51.100." + i),
          32,
          Duration.ofMinutes(5),
          "burst",
          List.of(),
          "test");
    }
    Await.until(
        () -> read(rules).contains("198.51.100.20 timeout"),
        Duration.ofSeconds(10),
        "the whole burst in " + rules);
    assertTrue(sync.updates() <= 3, "20 bans in a burst took " + sync.updates() + " updates");
    assertEquals(0, sync.failures());
    assertTrue(read(rules).startsWith("# nft -f -\n"), read(rules));
    assertTrue(Files.notExists(dir.resolve("out/firewall.rules.tmp")));
  }

  @Test
  void failingApply_logsOneErrorNamingTheCause_andTheBanStillHolds() throws Exception {
    logged = CapturedLog.of(FirewallSync.class.getName());
    bans = JournalBans.open(dir.resolve("bans.journal"), List.of());
    // Whatever this machine has installed, a command behind a missing program fails.
    FirewallApplier broken = new FirewallApplier(List.of("/nonexistent/wssguard-test"));
    FirewallSync sync =
        FirewallSync.start(
            bans, FirewallConfig.of(FirewallConfig.Backend.IPTABLES, List.of(443)), null, broken);
    Await.until(() -> sync.failures() >= 1, Duration.ofSeconds(10), "first update failing");
    for (int i = 1; i <= 3; i++) {
      long before = sync.failures();
      bans.ban(
          InetAddress.getByName("203.0.113." + i),
          32,
          Duration.ofMinutes(5),
          "test",
          List.of(),
          "test");
      Await.until(() -> sync.failures() > before, Duration.ofSeconds(10), "update after ban " + i);
    }
    List<LogRecord> severe = logged.atLeast(Level.SEVERE);
    assertEquals(
        1,
        severe.size(),
        "one error, not one per failure: " + severe.stream().map(LogRecord::getMessage).toList());
    String message = severe.get(0).getMessage();
    assertTrue(message.startsWith("firewall: cannot apply iptables rules for 0 ban(s): "), message);
    assertTrue(message.contains("iptables") && message.contains("keeps serving"), message);
    assertTrue(bans.isBanned(InetAddress.getByName("203.0.113.3")));
  }

  private static String read(Path file) {
    try {
      return Files.readString(file);
    } catch (java.io.IOException e) {
      return "";
    }
  }
}
