package io.wssguard.cli;

import io.wssguard.ban.Ban;
import io.wssguard.ban.BanList;
import io.wssguard.ban.BanOutcome;
import io.wssguard.config.AdminConfig;
import io.wssguard.config.ConfigException;
import io.wssguard.config.ProxyConfig;
import io.wssguard.net.Cidr;
import io.wssguard.observe.JsonText;
import io.wssguard.policy.PolicyParser;
import io.wssguard.quantity.Quantities;
import io.wssguard.server.NeverBanList;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code wssguard ban add|remove|list}: one way to the bans, whether the proxy runs or not.
 *
 * <p>First the running proxy, through its admin API ({@link AdminCall}, found from the
 * configuration): it bans at once, journals and logs as for any other ban, and its answer is
 * printed as given (400 too wide or malformed, 409 never-ban, 404 not banned). Only when no proxy
 * answers is the configuration's ban journal edited directly, and the journal's lock decides
 * whether that is safe: a proxy that runs holds it. The same rules apply either way: the
 * configuration's never-ban blocks and {@code admin.widestBan}. When neither way works, the error
 * names both, with why, and the options that choose them.
 *
 * <p>{@code --journal} alone (no {@code --config}) edits that journal only, as before; no proxy is
 * asked. Run as root (the usual way), the journal's files it creates are given to the owner of the
 * journal's directory, the service account; see {@code BanJournal} for what it refuses to open.
 */
@Command(
    name = "ban",
    mixinStandardHelpOptions = true,
    description = {
      "Ban, unban and list sources: through the running proxy's admin API when it answers, else in"
          + " the ban journal directly (refused while a proxy holds it).",
      "The proxy and journal are found from the configuration (-c/--config), or --journal alone"
          + " names a journal to edit without asking any proxy."
    },
    subcommands = {BanCommand.Add.class, BanCommand.Remove.class, BanCommand.Show.class})
final class BanCommand implements Runnable {
  static final String EXIT_DONE = "0:done";
  static final String EXIT_NEITHER =
      "1:not done: no proxy answered and the journal could not be used (both reasons printed),"
          + " or the proxy refused the call itself (token, Host, server error)";
  static final String EXIT_BAD =
      "2:bad argument or configuration file, or the proxy answered 400 (e.g. a block wider than"
          + " admin.widestBan)";

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
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
          name(spec) + ": '" + text + "' is not an address or CIDR block (" + e.getMessage() + ")");
    }
  }

  static Duration duration(CommandLine.Model.CommandSpec spec, String text) {
    try {
      return Quantities.parseDuration(text, Duration.ofSeconds(1), Quantities.MAX_BAN);
    } catch (IllegalArgumentException e) {
      throw new CommandLine.ParameterException(
          spec.commandLine(), name(spec) + ": --for '" + text + "' (" + e.getMessage() + ")");
    }
  }

  private static String name(CommandLine.Model.CommandSpec spec) {
    return spec.qualifiedName().replace("wssguard ", "");
  }

  static String describe(Ban ban) {
    StringBuilder s =
        new StringBuilder(ban.target().shortText())
            .append("\tuntil ")
            .append(ban.until())
            .append('\t')
            .append(ban.reason());
    if (ban.started() != null) {
      s.append("\tsince ").append(ban.started());
    }
    if (!ban.history().isEmpty()) {
      s.append("\t[").append(String.join("; ", ban.history())).append(']');
    }
    return s.toString();
  }

  /**
   * The two ways to the bans that the command line names: the running proxy (absent with {@code
   * --journal} alone) and the journal (absent when the configuration keeps bans in memory only),
   * with the configuration's ban rules for the journal.
   */
  static final class Ways {
    @CommandLine.Mixin ConfigOption config;

    @Option(
        names = "--journal",
        paramLabel = "PATH",
        description =
            "Ban journal to use when no proxy answers (default: the configuration's"
                + " bans.journal). Alone, without --config: only this journal, no proxy is asked.")
    Path journal;

    private ProxyConfig loaded;

    /** Loads the configuration when one is in use; its errors are printed and false returned. */
    boolean load(PrintWriter err) {
      if (journal != null && !config.given()) {
        return true;
      }
      try {
        loaded = config.load();
        return true;
      } catch (ConfigException e) {
        err.println(e.getMessage());
        return false;
      }
    }

    /** The running proxy's admin API, or empty with {@code --journal} alone. */
    Optional<AdminCall> proxy() {
      return loaded == null ? Optional.empty() : Optional.of(AdminCall.to(loaded.admin()));
    }

    /** The journal to use when no proxy answers, or {@code null}. */
    Path journal() {
      if (journal != null) {
        return journal;
      }
      return loaded.bans() == null ? null : loaded.bans().journal();
    }

    /** Why there is no journal to use ({@link #journal()} is null). */
    String noJournal() {
      return "none: "
          + config.describe()
          + " has no bans.journal (the proxy keeps its bans in memory only)";
    }

    String proxyNotAsked() {
      return "not asked (--journal alone edits only that journal; --config names a proxy)";
    }

    AdminConfig.WidestBan widestBan() {
      return loaded == null ? AdminConfig.WidestBan.DEFAULT : loaded.admin().widestBan();
    }

    /**
     * The blocks the proxy would never ban: its policies' allow lists and trusted proxies, its
     * PROXY-protocol senders.
     *
     * @throws ConfigException a policy file is invalid
     */
    List<Cidr> neverBan() throws ConfigException {
      return loaded == null ? List.of() : NeverBanList.of(loaded, PolicyParser.forConfig(loaded));
    }

    /** Prints that neither way worked, each with why, and the options that choose them. */
    int neither(PrintWriter err, String command, String proxyWhy, String journalWhy) {
      err.println(command + ": nothing done: neither the running proxy nor the ban journal works:");
      err.println("  running proxy: " + proxyWhy);
      err.println("  ban journal: " + journalWhy);
      err.println(
          "  (-c/--config FILE: the running proxy's configuration, whose admin listener is"
              + " asked; --journal PATH: a journal to edit while no proxy holds it)");
      return 1;
    }
  }

  /** Prints a refusal of the admin API as given, and returns the exit code it means. */
  static int refused(
      PrintWriter err, String command, AdminCall proxy, AdminCall.Answer answer, int noChange) {
    int status = answer.status();
    err.println(
        command
            + ": "
            + answer.error()
            + " (HTTP "
            + status
            + " from the proxy at "
            + proxy.where()
            + ")");
    if (status == 400) {
      return 2;
    }
    return status == noChange ? 3 : 1;
  }

  @Command(
      name = "add",
      mixinStandardHelpOptions = true,
      description =
          "Ban an address or block; an existing ban is extended when this one ends later.",
      exitCodeListHeading = "%nExit codes:%n",
      exitCodeList = {
        EXIT_DONE,
        EXIT_NEITHER,
        EXIT_BAD,
        "3:not banned: the target overlaps a never-ban block (the proxy's 409, with the block)"
      })
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
        description = "How long, e.g. 15m, 2h, 7d (1 s..365 d).")
    String duration;

    @Option(
        names = "--reason",
        required = true,
        paramLabel = "TEXT",
        description = "Why, for the list and the logs.")
    String reason;

    @CommandLine.Mixin Ways ways;

    @Override
    public Integer call() {
      PrintWriter out = spec.commandLine().getOut();
      PrintWriter err = spec.commandLine().getErr();
      Cidr cidr = target(spec, target);
      Duration d = duration(spec, duration);
      if (!ways.load(err)) {
        return 2;
      }
      String proxyWhy = ways.proxyNotAsked();
      Optional<AdminCall> proxy = ways.proxy();
      if (proxy.isPresent()) {
        String body =
            new JsonText()
                .beginObject()
                .field("target", cidr.toString())
                .field("for", duration)
                .field("reason", reason)
                .endObject()
                .toString();
        try {
          AdminCall.Answer answer = proxy.get().change("POST", "/bans", body);
          if (answer.status() != 200 && answer.status() != 201) {
            return refused(err, "ban add", proxy.get(), answer, 409);
          }
          out.println(
              (answer.status() == 201 ? "banned " : "extended ")
                  + shortText(answer.field("target"))
                  + "\tuntil "
                  + answer.field("until")
                  + "\t"
                  + answer.field("reason"));
          err.println("ban add: done by the running proxy (" + proxy.get().where() + ")");
          return 0;
        } catch (AdminCall.Unreachable e) {
          proxyWhy = e.getMessage();
        }
      }
      Path journal = ways.journal();
      if (journal == null) {
        return ways.neither(err, "ban add", proxyWhy, ways.noJournal());
      }
      Optional<String> tooWide = ways.widestBan().refusal(cidr);
      if (tooWide.isPresent()) {
        err.println("ban add: " + tooWide.get());
        return 2;
      }
      List<Cidr> neverBan;
      try {
        neverBan = ways.neverBan();
      } catch (ConfigException e) {
        err.println(e.getMessage());
        return 2;
      }
      BanList list;
      try {
        list = BanList.open(journal, neverBan);
      } catch (IOException | UncheckedIOException e) {
        return ways.neither(err, "ban add", proxyWhy, e.getMessage());
      }
      try (list) {
        BanOutcome outcome = list.ban(cidr, d, reason, List.of("by hand"), "wssguard ban");
        if (!outcome.banned()) {
          err.println("ban add: " + outcome.refusal());
          return 3;
        }
        out.println(
            (outcome.kind() == BanOutcome.Kind.MADE ? "banned " : "extended ")
                + describe(outcome.ban()));
        if (ways.proxy().isPresent()) {
          err.println("ban add: no proxy answered (" + proxyWhy + "); written to " + journal);
        }
        return 0;
      } catch (IOException | UncheckedIOException | IllegalArgumentException e) {
        err.println("ban add: " + e.getMessage());
        return e instanceof IllegalArgumentException ? 2 : 1;
      }
    }
  }

  @Command(
      name = "remove",
      mixinStandardHelpOptions = true,
      description = "Lift the ban on exactly this target.",
      exitCodeListHeading = "%nExit codes:%n",
      exitCodeList = {
        EXIT_DONE,
        EXIT_NEITHER,
        EXIT_BAD,
        "3:nothing to lift: no ban on exactly this target (the proxy's 404)"
      })
  static final class Remove implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Parameters(
        index = "0",
        paramLabel = "CIDR",
        description = "The banned address or block, as listed.")
    String target;

    @CommandLine.Mixin Ways ways;

    @Override
    public Integer call() {
      PrintWriter out = spec.commandLine().getOut();
      PrintWriter err = spec.commandLine().getErr();
      Cidr cidr = target(spec, target);
      if (!ways.load(err)) {
        return 2;
      }
      String proxyWhy = ways.proxyNotAsked();
      Optional<AdminCall> proxy = ways.proxy();
      if (proxy.isPresent()) {
        try {
          AdminCall.Answer answer =
              proxy.get().change("DELETE", "/bans/" + cidr.toString().replace("/", "%2F"), null);
          if (answer.status() != 200) {
            return refused(err, "ban remove", proxy.get(), answer, 404);
          }
          out.println("unbanned " + cidr.shortText());
          err.println("ban remove: done by the running proxy (" + proxy.get().where() + ")");
          return 0;
        } catch (AdminCall.Unreachable e) {
          proxyWhy = e.getMessage();
        }
      }
      Path journal = ways.journal();
      if (journal == null) {
        return ways.neither(err, "ban remove", proxyWhy, ways.noJournal());
      }
      BanList list;
      try {
        list = BanList.open(journal, List.of());
      } catch (IOException | UncheckedIOException e) {
        return ways.neither(err, "ban remove", proxyWhy, e.getMessage());
      }
      try (list) {
        if (!list.unban(cidr)) {
          err.println("ban remove: " + cidr.shortText() + " is not banned (in " + journal + ")");
          return 3;
        }
        out.println("unbanned " + cidr.shortText());
        if (ways.proxy().isPresent()) {
          err.println("ban remove: no proxy answered (" + proxyWhy + "); written to " + journal);
        }
        return 0;
      } catch (IOException | UncheckedIOException e) {
        err.println("ban remove: " + e.getMessage());
        return 1;
      }
    }
  }

  @Command(
      name = "list",
      mixinStandardHelpOptions = true,
      description = {
        "Print the active bans: target, end, reason and, from the journal, the strikes, or, from"
            + " a proxy in a fleet, the node that made the ban (tab-separated).",
        "From the running proxy when it answers, else from the journal (read without its lock);"
            + " damaged journal lines are named on stderr."
      },
      exitCodeListHeading = "%nExit codes:%n",
      exitCodeList = {
        "0:listed (nothing printed: no active bans)",
        "1:no running proxy answered and there is no journal to read (both reasons printed), the"
            + " proxy refused the call, or the journal has damaged lines (the valid bans are"
            + " printed)",
        "2:bad configuration file"
      })
  static final class Show implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @CommandLine.Mixin Ways ways;

    @Override
    public Integer call() {
      PrintWriter out = spec.commandLine().getOut();
      PrintWriter err = spec.commandLine().getErr();
      if (!ways.load(err)) {
        return 2;
      }
      String proxyWhy = ways.proxyNotAsked();
      Optional<AdminCall> proxy = ways.proxy();
      if (proxy.isPresent()) {
        try {
          AdminCall.Answer answer = proxy.get().get("/bans");
          if (answer.status() != 200) {
            return refused(err, "ban list", proxy.get(), answer, -1);
          }
          List<Listed> bans = bans(answer);
          if (bans == null) {
            err.println(
                "ban list: the proxy at "
                    + proxy.get().where()
                    + " answered a ban list this version cannot read: "
                    + answer.json());
            return 1;
          }
          bans.forEach(
              b ->
                  out.println(
                      describe(b.ban()) + (b.origin() == null ? "" : "\torigin " + b.origin())));
          return 0;
        } catch (AdminCall.Unreachable e) {
          proxyWhy = e.getMessage();
        }
      }
      Path journal = ways.journal();
      if (journal == null) {
        return ways.neither(err, "ban list", proxyWhy, ways.noJournal());
      }
      if (!Files.exists(journal, LinkOption.NOFOLLOW_LINKS)) {
        return ways.neither(
            err,
            "ban list",
            proxyWhy,
            journal + " does not exist (no proxy has run with it, and nothing was banned by hand)");
      }
      BanList.Contents contents;
      try {
        contents = BanList.read(journal, Instant.now());
      } catch (IOException e) {
        return ways.neither(err, "ban list", proxyWhy, e.getMessage());
      }
      for (Ban ban : contents.active()) {
        out.println(describe(ban));
      }
      if (contents.damage().isEmpty()) {
        return 0;
      }
      for (String damage : contents.damage()) {
        err.println("ban list: " + damage + " (line skipped)");
      }
      err.println(
          "ban list: "
              + journal
              + " is damaged ("
              + contents.damage().size()
              + " line(s) skipped, the bans above are from the valid lines); the proxy or"
              + " 'wssguard ban add|remove' moves it aside to "
              + journal.getFileName()
              + ".damaged-<time> and writes a fresh journal when it next opens it");
      return 1;
    }

    /** A ban as the admin API lists it: with the node that made it, in a fleet (else null). */
    private record Listed(Ban ban, String origin) {}

    /**
     * The bans of a {@code GET /bans} answer, in the journal listing's order; null if unreadable.
     */
    private static List<Listed> bans(AdminCall.Answer answer) {
      if (!(answer.json() instanceof Map<?, ?> m) || !(m.get("bans") instanceof List<?> items)) {
        return null;
      }
      List<Listed> bans = new ArrayList<>();
      for (Object item : items) {
        if (!(item instanceof Map<?, ?> b)
            || !(b.get("target") instanceof String target)
            || !(b.get("until") instanceof String until)
            || !(b.get("reason") instanceof String reason)
            || !(b.get("origin") == null || b.get("origin") instanceof String)
            || !(b.get("started") == null || b.get("started") instanceof String)
            || !(b.get("by") == null || b.get("by") instanceof String)) {
          return null;
        }
        try {
          Instant started =
              b.get("started") == null ? null : Instant.parse((String) b.get("started"));
          bans.add(
              new Listed(
                  new Ban(
                      Cidr.parse(target),
                      Instant.parse(until),
                      reason,
                      List.of(),
                      started,
                      (String) b.get("by")),
                  (String) b.get("origin")));
        } catch (IllegalArgumentException | DateTimeParseException e) {
          return null;
        }
      }
      bans.sort(Comparator.comparing(Listed::ban, BanList.ORDER));
      return bans;
    }
  }

  /** A block as the listings write it: {@code 203.0.113.7}, {@code 2001:db8::/48}. */
  private static String shortText(String cidr) {
    if (cidr == null) {
      return "?";
    }
    try {
      return Cidr.parse(cidr).shortText();
    } catch (IllegalArgumentException e) {
      return cidr;
    }
  }
}
