package io.wssguard.ban;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.wssguard.net.Cidr;
import io.wssguard.time.ManualTicker;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JournalBansTest {
  @TempDir Path dir;
  private JournalBans bans;

  private Path journal() {
    return dir.resolve("bans.journal");
  }

  @AfterEach
  void close() throws Exception {
    if (bans != null) {
      bans.close();
    }
  }

  private static InetAddress ip(String text) throws Exception {
    return InetAddress.getByName(text);
  }

  @Test
  void ban_isEnforcedAtOnce_whileTheJournalWriteWaitsForTheBackgroundThread() throws Exception {
    bans = JournalBans.open(journal(), List.of());
    CountDownLatch release = new CountDownLatch(1);
    bans.schedule(() -> awaitQuietly(release), Duration.ZERO);

    long start = System.nanoTime();
    bans.ban(ip("203.0.113.7"), 32, Duration.ofMinutes(5), "test", List.of("strike"), "test");
    assertTrue(
        System.nanoTime() - start < TimeUnit.SECONDS.toNanos(1),
        "ban must not wait for the busy thread");

    assertTrue(bans.isBanned(ip("203.0.113.7")));
    assertFalse(bans.isBanned(ip("203.0.113.8")));
    assertEquals(
        List.of(),
        BanList.readActive(journal(), Instant.now()),
        "not journalled while the thread is busy");
    release.countDown();
    bans.awaitIdle();
    assertEquals(
        "203.0.113.7", BanList.readActive(journal(), Instant.now()).get(0).target().shortText());
    assertTrue(bans.isBanned(ip("203.0.113.7")));
  }

  @Test
  void ipv6Ban_coversTheWholeBlock() throws Exception {
    bans = JournalBans.open(journal(), List.of());
    bans.ban(ip("2001:db8:1:2::7"), 64, Duration.ofMinutes(5), "test", List.of(), "test");
    assertTrue(bans.isBanned(ip("2001:db8:1:2::99")));
    assertFalse(bans.isBanned(ip("2001:db8:1:3::7")));
    bans.awaitIdle();
    assertTrue(bans.isBanned(ip("2001:db8:1:2:ffff::1")));
    assertEquals(
        List.of("2001:db8:1:2::/64"),
        bans.active(Instant.now()).stream().map(b -> b.target().shortText()).toList());
  }

  @Test
  void neverBan_isNotEnforced_evenBeforeTheBanListRefusesIt() throws Exception {
    bans = JournalBans.open(journal(), List.of(Cidr.parse("192.0.2.0/24")));
    CountDownLatch release = new CountDownLatch(1);
    bans.schedule(() -> awaitQuietly(release), Duration.ZERO);
    bans.ban(ip("192.0.2.9"), 32, Duration.ofMinutes(5), "test", List.of(), "test");
    assertFalse(bans.isBanned(ip("192.0.2.9")));
    release.countDown();
    bans.awaitIdle();
    assertFalse(bans.isBanned(ip("192.0.2.9")));
    assertEquals(List.of(), bans.active(Instant.now()));
  }

  @Test
  void listenersRunOnTheBackgroundThread_andHearOfTheExpiry_thatIsBannedSeesAtOnce()
      throws Exception {
    ManualTicker clock = new ManualTicker(Instant.now());
    bans = JournalBans.open(journal(), List.of(), clock);
    AtomicReference<String> thread = new AtomicReference<>();
    CountDownLatch expired = new CountDownLatch(1);
    bans.addListener(
        active -> {
          thread.set(Thread.currentThread().getName());
          if (active.isEmpty()) {
            expired.countDown();
          }
        });
    bans.ban(ip("203.0.113.7"), 32, Duration.ofSeconds(1), "test", List.of(), "test");
    bans.awaitIdle();
    assertTrue(bans.isBanned(ip("203.0.113.7")));
    clock.advance(Duration.ofSeconds(1));
    assertFalse(bans.isBanned(ip("203.0.113.7")), "over on the clock, before the sweep runs");
    // The sweep runs once a second of real time and announces what it removed.
    assertTrue(expired.await(10, TimeUnit.SECONDS), "expiry was never announced");
    assertEquals("wssguard-bans", thread.get());
    bans.awaitIdle(); // the sweep counts what it removed once its listeners have heard of it
    assertEquals(1, bans.expiredCount());
  }

  @Test
  void close_writesQueuedBans_soTheySurviveARestart() throws Exception {
    bans = JournalBans.open(journal(), List.of());
    bans.ban(ip("198.51.100.7"), 32, Duration.ofMinutes(5), "test", List.of(), "test");
    bans.close();
    bans.ban(ip("198.51.100.8"), 32, Duration.ofMinutes(5), "after close", List.of(), "test");
    assertFalse(
        bans.isBanned(ip("198.51.100.8")), "a ban after close is dropped, not left pending");

    bans = JournalBans.open(journal(), List.of());
    assertTrue(bans.isBanned(ip("198.51.100.7")));
  }

  private static void awaitQuietly(CountDownLatch latch) {
    try {
      latch.await(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
