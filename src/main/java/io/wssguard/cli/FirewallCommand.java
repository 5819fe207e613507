package io.wssguard.cli;

import io.wssguard.ban.Ban;
import io.wssguard.ban.BanList;
import io.wssguard.config.BansConfig;
import io.wssguard.config.ConfigException;
import io.wssguard.config.ConfigParser;
import io.wssguard.config.ProxyConfig;
import io.wssguard.firewall.Family;
import io.wssguard.firewall.FirewallApplier;
import io.wssguard.firewall.FirewallConfig;
import io.wssguard.firewall.FirewallException;
import io.wssguard.firewall.StaticRules;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code wssguard firewall render|apply|static}: the ban journal as kernel rules, and the shipped
 * hardening files. {@code render} and {@code apply} take the journal, backend and ports from the
 * command line or, with {@code --config}, from the proxy's own configuration, so the packaged
 * firewall unit repeats none of them. Exit codes: 0 done, 1 the journal or a firewall tool failed,
 * 2 a bad argument or configuration.
 */
@Command(
    name = "firewall",
    mixinStandardHelpOptions = true,
    description = "Firewall rules for bans and hardening.",
    subcommands = {
      FirewallCommand.Render.class,
      FirewallCommand.Apply.class,
      FirewallCommand.Static.class
    })
final class FirewallCommand implements Runnable {
  static final String DEFAULT_JOURNAL = "/var/lib/wssguard/bans.journal";

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(System.out);
  }

  static final class Options {
    @Option(
        names = {"-c", "--config"},
        paramLabel = "FILE",
        description =
            "Take the journal, backend and protected ports from this configuration (bans.journal,"
                + " bans.firewall.backend, bans.firewall.ports or else the listeners' ports), as the"
                + " packaged wssguard-firewall.service does. Not with --backend, --port, --journal.")
    Path config;

    @Option(
        names = "--backend",
        paramLabel = "ipset|nftables|iptables",
        converter = BackendConverter.class,
        description = "ipset (default choice), nftables, or iptables; required without --config.")
    FirewallConfig.Backend backend;

    @Option(
        names = "--port",
        paramLabel = "PORT",
        description = "Protected TCP port; repeat for more (default: 443).")
    List<Integer> ports = List.of(443);

    @Option(
        names = "--reject",
        description = "Answer banned sources with a TCP reset instead of dropping.")
    boolean reject;

    @CommandLine.Mixin JournalOption journal;
  }

  /** Where the bans come from and how they reach the kernel, from the options or a config file. */
  private record Target(Path journal, FirewallConfig rules) {}

  /**
   * The kernel side of a configuration's {@code bans.firewall}: what {@code run} keeps in step and
   * {@code firewall apply --config} loads, so both build the same rules.
   */
  static FirewallConfig kernelRules(BansConfig.Firewall fw) {
    return FirewallConfig.of(FirewallConfig.Backend.valueOf(fw.backend().name()), fw.ports());
  }

  static final class JournalOption {
    @Option(
        names = "--journal",
        paramLabel = "PATH",
        description = "Ban journal (default: " + DEFAULT_JOURNAL + ").")
    Path journal = Path.of(DEFAULT_JOURNAL);
  }

  static final class BackendConverter
      implements CommandLine.ITypeConverter<FirewallConfig.Backend> {
    @Override
    public FirewallConfig.Backend convert(String value) {
      try {
        return FirewallConfig.Backend.valueOf(value.toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        throw new CommandLine.TypeConversionException(
            "'" + value + "' (expected ipset, nftables or iptables)");
      }
    }
  }

  /**
   * Shared by render and apply: reads the journal without locking it, so it works beside a running
   * proxy.
   */
  abstract static class JournalToRules implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;
    @CommandLine.Mixin Options options;

    @Override
    public Integer call() {
      String name = spec.qualifiedName().replace("wssguard ", "");
      Target target;
      try {
        target = options.config == null ? fromOptions(name) : fromConfig(name);
      } catch (IllegalArgumentException e) {
        throw new CommandLine.ParameterException(spec.commandLine(), name + ": " + e.getMessage());
      }
      if (target == null) {
        return 2;
      }
      FirewallConfig cfg =
          options.reject
              ? target.rules().withVerdict(FirewallConfig.Verdict.REJECT)
              : target.rules();
      Instant now = Instant.now();
      List<Ban> bans;
      try {
        bans = BanList.readActive(target.journal(), now);
      } catch (IOException e) {
        System.err.println(name + ": " + e.getMessage());
        return 1;
      }
      return run(name, bans, cfg, now);
    }

    private Target fromOptions(String name) {
      if (options.backend == null) {
        throw new CommandLine.ParameterException(
            spec.commandLine(), name + ": --backend or --config is required");
      }
      return new Target(options.journal.journal, FirewallConfig.of(options.backend, options.ports));
    }

    /** The config's bans block, or {@code null} after printing why it has none to apply. */
    private Target fromConfig(String name) {
      CommandLine.ParseResult given = spec.commandLine().getParseResult();
      for (String option : List.of("--backend", "--port", "--journal")) {
        if (given.hasMatchedOption(option)) {
          throw new CommandLine.ParameterException(
              spec.commandLine(),
              name
                  + ": "
                  + option
                  + " with --config (expected: one or the other; the config names the journal,"
                  + " backend and ports)");
        }
      }
      ProxyConfig cfg;
      try {
        cfg = ConfigParser.parse(options.config);
      } catch (ConfigException e) {
        System.err.println(e.getMessage());
        return null;
      }
      BansConfig bans = cfg.bans();
      if (bans == null || bans.journal() == null) {
        System.err.println(
            options.config
                + ": bans.journal: not set (expected: a ban journal; the rules are built from it)");
        return null;
      }
      if (bans.firewall() == null) {
        System.err.println(
            options.config
                + ": bans.firewall.backend: none (expected: ipset, nftables or iptables to load the"
                + " bans into the kernel)");
        return null;
      }
      return new Target(bans.journal(), kernelRules(bans.firewall()));
    }

    abstract int run(String name, List<Ban> bans, FirewallConfig cfg, Instant now);
  }

  @Command(
      name = "render",
      mixinStandardHelpOptions = true,
      description = "Print the commands and their input that apply would run.")
  static final class Render extends JournalToRules {
    @Override
    int run(String name, List<Ban> bans, FirewallConfig cfg, Instant now) {
      System.out.print(FirewallApplier.render(bans, cfg, now).text());
      return 0;
    }
  }

  @Command(
      name = "apply",
      mixinStandardHelpOptions = true,
      description =
          "Load the active bans into the kernel (atomic per tool; re-running changes nothing).")
  static final class Apply extends JournalToRules {
    @Override
    int run(String name, List<Ban> bans, FirewallConfig cfg, Instant now) {
      try {
        new FirewallApplier().apply(bans, cfg, now);
        System.out.println(
            "applied "
                + bans.size()
                + " ban(s) with "
                + cfg.backend().name().toLowerCase(Locale.ROOT));
        return 0;
      } catch (FirewallException e) {
        System.err.println(name + ": " + e.getMessage());
        return 1;
      }
    }
  }

  @Command(
      name = "static",
      mixinStandardHelpOptions = true,
      description =
          "Write the hardening files rules.v4, rules.v6 and sysctl-wssguard.conf (see iptables/README.md).")
  static final class Static implements Callable<Integer> {
    @Option(
        names = "--port",
        paramLabel = "PORT",
        description = "Protected TCP port; repeat (default: 443, 8443).")
    List<Integer> ports = List.of(443, 8443);

    @Option(
        names = "--out",
        paramLabel = "DIR",
        description = "Where to write them (default: iptables).")
    Path out = Path.of("iptables");

    @Override
    public Integer call() {
      try {
        Files.createDirectories(out);
        Files.writeString(
            out.resolve("rules.v4"),
            StaticRules.render(ports, Family.IPV4),
            StandardCharsets.UTF_8);
        Files.writeString(
            out.resolve("rules.v6"),
            StaticRules.render(ports, Family.IPV6),
            StandardCharsets.UTF_8);
        Files.writeString(
            out.resolve("sysctl-wssguard.conf"), StaticRules.sysctl(), StandardCharsets.UTF_8);
        System.out.println("wrote rules.v4, rules.v6, sysctl-wssguard.conf in " + out);
        return 0;
      } catch (IOException | IllegalArgumentException e) {
        System.err.println("firewall static: " + e.getMessage());
        return 1;
      }
    }
  }
}
