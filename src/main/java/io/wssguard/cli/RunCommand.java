package io.wssguard.cli;

import io.wssguard.ban.Bans;
import io.wssguard.ban.JournalBans;
import io.wssguard.ban.MemoryBans;
import io.wssguard.config.BansConfig;
import io.wssguard.config.ConfigException;
import io.wssguard.config.ConfigParser;
import io.wssguard.config.ProxyConfig;
import io.wssguard.firewall.FirewallApplier;
import io.wssguard.firewall.FirewallSync;
import io.wssguard.fleet.FleetBans;
import io.wssguard.observe.PolicyReloads;
import io.wssguard.policy.PolicyParser;
import io.wssguard.policy.PolicySet;
import io.wssguard.server.ConfigReloader;
import io.wssguard.server.FixedConfiguration;
import io.wssguard.server.NeverBanList;
import io.wssguard.server.ProxyServer;
import io.wssguard.server.StartupException;
import io.wssguard.time.Ticker;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import sun.misc.Signal;

/**
 * {@code wssguard run}: the main job. Exit codes: 0 after a graceful stop, 1 when the proxy cannot
 * start for a runtime reason (port in use, ban journal unusable), 2 for a bad file: configuration,
 * policy, certificate or key (nothing is started; retrying cannot help).
 *
 * <p>SIGHUP reloads the whole configuration file ({@link ConfigReloader}).
 *
 * <p>Bans live in memory only without {@code bans.journal}; with one they are journalled (and
 * replayed here), and with a firewall backend also kept in the kernel by a {@link FirewallSync}.
 * With a {@code cluster} block they are shared with the fleet ({@link FleetBans}), whose bans are
 * loaded (waiting {@link FleetBans#START_WAIT} at most) before the listeners accept.
 */
@Command(
    name = "run",
    mixinStandardHelpOptions = true,
    description =
        "Run the proxy (embedded defaults: wss://127.0.0.1:8443/ in front of a demo echo backend).")
final class RunCommand implements Callable<Integer> {
  @Option(
      names = {"-c", "--config"},
      paramLabel = "FILE",
      description =
          "Configuration file (YAML, see docs/CONFIG.md). Default: the embedded defaults.")
  Path config;

  @Override
  public Integer call() throws Exception {
    ProxyConfig cfg;
    PolicySet policies;
    try {
      cfg = config == null ? ConfigParser.embeddedDefaults() : ConfigParser.parse(config);
      policies = PolicyParser.forConfig(cfg);
    } catch (ConfigException e) {
      System.err.println(e.getMessage());
      return 2;
    }
    List<String> missing = PolicyParser.missingPolicies(cfg, policies);
    if (!missing.isEmpty()) {
      String file = config == null ? "<embedded defaults>" : config.toString();
      missing.forEach(m -> System.err.println(file + ": " + m));
      return 2;
    }
    List<String> unshared = PolicyParser.fleetWithoutCluster(cfg, policies);
    if (!unshared.isEmpty()) {
      unshared.forEach(System.err::println);
      return 2;
    }
    BansConfig bansConfig = cfg.bans();
    JournalBans journal = null;
    FirewallSync kernel = null;
    Bans bans;
    if (bansConfig == null || bansConfig.journal() == null) {
      bans = new MemoryBans();
    } else {
      try {
        journal = JournalBans.open(bansConfig.journal(), NeverBanList.of(cfg, policies));
      } catch (IOException e) {
        System.err.println("wssguard: cannot start: ban journal: " + e.getMessage());
        return 1;
      }
      bans = journal;
      BansConfig.Firewall fw = bansConfig.firewall();
      if (fw != null) {
        kernel =
            FirewallSync.start(
                journal, FirewallCommand.kernelRules(fw), fw.rulesFile(), new FirewallApplier());
      }
    }
    FleetBans fleet = null;
    if (cfg.cluster() != null) {
      // Never-ban blocks first: the fleet's bans are checked against them as they load.
      bans.neverBan(NeverBanList.of(cfg, policies));
      try {
        fleet = FleetBans.start(cfg.cluster(), bans, cfg.admin().widestBan(), Ticker.system());
      } catch (IOException e) {
        System.err.println("wssguard: cannot start: cluster.passwordFile: " + e.getMessage());
        closeQuietly(journal);
        return 1;
      }
      if (!fleet.awaitLoaded(FleetBans.START_WAIT)) {
        System.err.println(
            "wssguard: the fleet's Redis did not answer within "
                + FleetBans.START_WAIT.toSeconds()
                + " s: serving with this node's own bans; the fleet's load when it answers");
      }
      bans = fleet;
    }
    ProxyServer server;
    try {
      server = ProxyServer.start(cfg, policies, bans, fleet == null ? null : fleet.ledger());
    } catch (StartupException e) {
      System.err.println(
          e.fileProblem() ? e.getMessage() : "wssguard: cannot start: " + e.getMessage());
      closeQuietly(fleet);
      closeQuietly(journal);
      return e.fileProblem() ? 2 : 1;
    }
    if (kernel != null) {
      BansConfig.Firewall fw = bansConfig.firewall();
      server
          .observability()
          .kernel(
              fw.backend().toString().toLowerCase(Locale.ROOT)
                  + (fw.apply() ? "" : " (rules written to " + fw.rulesFile() + ")"),
              kernel::failing,
              kernel::updates);
    }
    if (fleet != null) {
      fleet.events(server.observability().events());
      server.observability().fleet(fleet);
    }
    FleetBans fleetToClose = fleet;
    JournalBans journalToClose = journal;
    System.out.print(Banner.of(server, cfg));
    System.out.flush();
    CountDownLatch stopped = new CountDownLatch(1);
    int[] exit = {0};
    Runnable stop =
        () -> {
          try {
            boolean drained = server.shutdown(server.config().timeouts().drain());
            System.err.println(
                "wssguard: stopped"
                    + (drained ? "" : " (drain time over, remaining connections cut)"));
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            exit[0] = 1;
          } finally {
            // After the listeners: no new bans can come; the queued ones are written and reach the
            // firewall (and the fleet's Redis, if it answers).
            closeQuietly(fleetToClose);
            closeQuietly(journalToClose);
            stopped.countDown();
          }
        };
    // Handle SIGTERM/SIGINT ourselves: the JVM's default handler would exit 143 before the drain.
    for (String sig : new String[] {"TERM", "INT"}) {
      Signal.handle(new Signal(sig), s -> new Thread(stop, "wssguard-shutdown").start());
    }
    // The embedded defaults have no file to reload from.
    PolicyReloads reloader;
    if (config == null) {
      reloader = new FixedConfiguration();
    } else {
      ConfigReloader whole = new ConfigReloader(config, server);
      whole.events(server.observability().events());
      whole.watchPolicies();
      reloader = whole;
    }
    server.observability().reloads(reloader);
    Signal.handle(
        new Signal("HUP"),
        s -> new Thread(() -> reloader.reload("SIGHUP"), "wssguard-reload").start());
    stopped.await();
    return exit[0];
  }

  private static void closeQuietly(FleetBans fleet) {
    if (fleet != null) {
      fleet.close();
    }
  }

  private static void closeQuietly(JournalBans journal) {
    if (journal == null) {
      return;
    }
    try {
      journal.close();
    } catch (IOException e) {
      System.err.println("wssguard: closing the ban journal: " + e.getMessage());
    }
  }
}
