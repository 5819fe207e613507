package io.wssguard.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.wssguard.ban.Bans;
import io.wssguard.ban.JournalBans;
import io.wssguard.ban.MemoryBans;
import io.wssguard.config.ConfigParser;
import io.wssguard.config.ProxyConfig;
import io.wssguard.observe.ReloadOutcome;
import io.wssguard.policy.PolicyParser;
import io.wssguard.server.ConfigReloader;
import io.wssguard.server.ProxyServer;
import io.wssguard.testing.Await;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code bans.max} from the configuration file reaches the running proxy's ban list, memory or
 * journalled: at the cap a ban is widened to its /24 instead of added, and a reload that raises the
 * cap lets the next ban in as it is.
 */
class BanCapIT {
  private static final int CAP = 100;

  @TempDir Path dir;

  private Path config(int maxBans, boolean journal) throws Exception {
    Path file = dir.resolve("wssguard.yaml");
    Files.writeString(
        file,
        """
        listeners:
          - name: plain
            bind: 127.0.0.1:0
        backends:
          demo:
            servers: [ws://127.0.0.1:9/]
        routes:
          - backend: demo
        bans:
          max: %d
        %s"""
            .formatted(maxBans, journal ? "  journal: bans.journal\n" : ""));
    return file;
  }

  @ParameterizedTest(name = "journal={0}")
  @ValueSource(booleans = {false, true})
  void banAtTheConfiguredCap_isWidened_andAReloadRaisesTheCap(boolean journal) throws Exception {
    Path file = config(CAP, journal);
    ProxyConfig cfg = ConfigParser.parse(file);
    JournalBans journalBans = journal ? JournalBans.open(cfg.bans().journal(), List.of()) : null;
    Bans bans = journal ? journalBans : new MemoryBans();
    ProxyServer server = ProxyServer.start(cfg, PolicyParser.forConfig(cfg), bans);
    try {
      // One ban in each of 100 /24s: the list is at its cap.
      for (int i = 0; i < CAP; i++) {
        ban(bans, "10.0." + i + ".1");
      }
      awaitBans(bans, CAP, "10.0.99.1");

      ban(bans, "10.0.0.2");
      awaitBans(bans, CAP, "10.0.0.0/24");
      assertTrue(bans.isBanned(InetAddress.getByName("10.0.0.200")), "the whole /24");

      config(2 * CAP, journal);
      ReloadOutcome reload = new ConfigReloader(file, server).reloadNow("test");
      assertTrue(reload.applied(), String.join("\n", reload.errors()));

      ban(bans, "10.0.1.2");
      awaitBans(bans, CAP + 1, "10.0.1.2");
      assertEquals(
          List.of("10.0.1.1", "10.0.1.2"),
          targets(bans).stream().filter(t -> t.startsWith("10.0.1.")).toList(),
          "below the raised cap a ban is not widened");
    } finally {
      server.close();
      if (journalBans != null) {
        journalBans.close();
      }
    }
  }

  private static void ban(Bans bans, String address) throws Exception {
    var unused =
        bans.ban(
            InetAddress.getByName(address), 32, Duration.ofHours(1), "test", List.of(), "test");
  }

  private static List<String> targets(Bans bans) {
    return bans.active().stream().map(e -> e.target().shortText()).sorted().toList();
  }

  /** Journalled bans reach the list on its background thread: wait for {@code last} to show. */
  private static void awaitBans(Bans bans, int count, String last) throws Exception {
    Await.until(
        () -> targets(bans).contains(last),
        Duration.ofSeconds(20),
        () -> last + " not among the " + bans.active().size() + " bans");
    assertEquals(count, bans.active().size(), () -> targets(bans).toString());
  }
}
