package io.wssguard.cli;

import io.wssguard.ban.Ban;
import io.wssguard.ban.BanList;
import io.wssguard.ban.BanOutcome;
import io.wssguard.net.Cidr;
import io.wssguard.quantity.Quantities;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code wssguard ban add|remove|list}: the ban journal by hand. Exit codes: 0 done, 1 the journal
 * could not be read or written (or a running proxy holds it, or {@code list} found damaged lines),
 * 2 a bad argument.
 *
 * <p>Run as root (the usual way), the journal's files it creates are given to the owner of the
 * journal's directory, the service account; see {@code BanJournal} for what it refuses to open.
 */
@Command(
    name = "ban",
    mixinStandardHelpOptions = true,
    description = "Ban, unban and list sources.",
    subcommands = {BanCommand.Add.class, BanCommand.Remove.class, BanCommand.Show.class})
final class BanCommand implements Runnable {
  static final String DEFAULT_JOURNAL = "/var/lib/wssguard/bans.journal";

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(System.out);
  }

  /**
   * The block {@code text} names, or a usage error (exit 2) that says what {@link Cidr#parse}
   * expected.
   */
  static Cidr target(CommandLine.Model.CommandSpec spec, String text) {
    try {
      return Cidr.parse(text);
    } catch (IllegalArgumentException e) {
      throw new CommandLine.ParameterException(
          spec.commandLine(),
          spec.qualifiedName().replace("wssguard ", "")
              + ": '"
              + text
              + "' is not an address or CIDR block ("
              + e.getMessage()
              + ")");
    }
  }

  static Duration duration(CommandLine.Model.CommandSpec spec, String text) {
    try {
      return Quantities.parseDuration(text, Duration.ofSeconds(1), Quantities.MAX_BAN);
    } catch (IllegalArgumentException e) {
      throw new CommandLine.ParameterException(
          spec.commandLine(),
          spec.qualifiedName().replace("wssguard ", "")
              + ": --for '"
              + text
              + "' ("
              + e.getMessage()
              + ")");
    }
  }

  static String describe(Ban ban) {
    StringBuilder s =
        new StringBuilder(ban.target().shortText())
            .append("\tuntil ")
            .append(ban.until())
            .append('\t')
            .append(ban.reason());
    if (!ban.history().isEmpty()) {
      s.append("\t[").append(String.join("; ", ban.history())).append(']');
    }
    return s.toString();
  }

  static final class JournalOption {
    @Option(
        names = "--journal",
        paramLabel = "PATH",
        description = "Ban journal (default: " + DEFAULT_JOURNAL + ").")
    Path journal = Path.of(DEFAULT_JOURNAL);
  }

  @Command(name = "add", mixinStandardHelpOptions = true, description = "Ban an address or block.")
  static final class Add implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Parameters(
        index = "0",
        paramLabel = "CIDR",
        description = "Address or block, e.g. 203.0.113.7, 2001:db8::/48.")
    String target;

    @Option(
        names = "--for",
        required = true,
        paramLabel = "DURATION",
        description = "How long, e.g. 15m, 2h, 7d.")
    String duration;

    @Option(
        names = "--reason",
        required = true,
        paramLabel = "TEXT",
        description = "Why, for the list and the logs.")
    String reason;

    @CommandLine.Mixin JournalOption journal;

    @Override
    public Integer call() {
      Cidr cidr = target(spec, target);
      Duration d = duration(spec, duration);
      try (BanList list = BanList.open(journal.journal, List.of())) {
        BanOutcome outcome = list.ban(cidr, d, reason, List.of("by hand"));
        if (!outcome.banned()) {
          System.err.println("ban add: " + outcome.refusal());
          return 1;
        }
        System.out.println("banned " + describe(outcome.ban()));
        return 0;
      } catch (IOException | UncheckedIOException | IllegalArgumentException e) {
        System.err.println("ban add: " + e.getMessage());
        return e instanceof IllegalArgumentException ? 2 : 1;
      }
    }
  }

  @Command(
      name = "remove",
      mixinStandardHelpOptions = true,
      description = "Lift the ban on exactly this target.")
  static final class Remove implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Parameters(
        index = "0",
        paramLabel = "CIDR",
        description = "The banned address or block, as listed.")
    String target;

    @CommandLine.Mixin JournalOption journal;

    @Override
    public Integer call() {
      Cidr cidr = target(spec, target);
      try (BanList list = BanList.open(journal.journal, List.of())) {
        if (!list.unban(cidr)) {
          System.err.println("ban remove: " + cidr.shortText() + " is not banned");
          return 1;
        }
        System.out.println("unbanned " + cidr.shortText());
        return 0;
      } catch (IOException | UncheckedIOException e) {
        System.err.println("ban remove: " + e.getMessage());
        return 1;
      }
    }
  }

  @Command(
      name = "list",
      mixinStandardHelpOptions = true,
      description =
          "Print the active bans: target, end, reason, strikes (tab-separated); damaged journal"
              + " lines are named on stderr (exit 1).")
  static final class Show implements Callable<Integer> {
    @CommandLine.Mixin JournalOption journal;

    @Override
    public Integer call() {
      try {
        BanList.Contents contents = BanList.read(journal.journal, Instant.now());
        for (Ban ban : contents.active()) {
          System.out.println(describe(ban));
        }
        if (contents.damage().isEmpty()) {
          return 0;
        }
        for (String damage : contents.damage()) {
          System.err.println("ban list: " + damage + " (line skipped)");
        }
        System.err.println(
            "ban list: "
                + journal.journal
                + " is damaged ("
                + contents.damage().size()
                + " line(s) skipped, the bans above are from the valid lines); the proxy or"
                + " 'wssguard ban add|remove' moves it aside to "
                + journal.journal.getFileName()
                + ".damaged-<time> and writes a fresh journal when it next opens it");
        return 1;
      } catch (IOException e) {
        System.err.println("ban list: " + e.getMessage());
        return 1;
      }
    }
  }
}
