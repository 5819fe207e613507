package io.wssguard.cli;

import io.wssguard.config.ConfigException;
import io.wssguard.config.ConfigParser;
import io.wssguard.config.ProxyConfig;
import io.wssguard.limit.CompiledPolicy;
import io.wssguard.policy.Policy;
import io.wssguard.policy.PolicyExplanation;
import io.wssguard.policy.PolicyParser;
import io.wssguard.policy.PolicySet;
import io.wssguard.replay.PolicyReplay;
import io.wssguard.replay.PolicySuggestion;
import io.wssguard.replay.RecordedBaseline;
import io.wssguard.replay.ReplayDiff;
import io.wssguard.replay.ReplayReport;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;
import picocli.CommandLine;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code wssguard policy check|explain}: the security team's tools for policy files, before a
 * reload. A policy or config error exits 2, like {@code run} and {@code check}: the packaged unit
 * keeps a start that can never succeed from being retried by that code.
 */
@Command(
    name = "policy",
    mixinStandardHelpOptions = true,
    description = "Check, explain, replay and suggest policy files (see docs/POLICIES.md).",
    subcommands = {
      PolicyCommand.Check.class,
      PolicyCommand.Explain.class,
      PolicyCommand.Replay.class,
      PolicyCommand.Suggest.class
    })
final class PolicyCommand implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  /** A subcommand's work on picocli's output streams; returns the exit code. */
  @FunctionalInterface
  private interface Work {
    int run(PrintWriter out, PrintWriter err) throws ConfigException;
  }

  /**
   * Runs {@code work}; a policy or config error is printed (all its {@code file:line:column} lines)
   * and exits 2. Both streams are flushed either way.
   */
  private static int withOutput(CommandLine.Model.CommandSpec spec, Work work) {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    try {
      return work.run(out, err);
    } catch (ConfigException e) {
      err.println(e.getMessage());
      return 2;
    } finally {
      out.flush();
      err.flush();
    }
  }

  /**
   * Like {@code nginx -t}: every error as {@code file:line:column: message} on stderr and exit 2,
   * or one {@code ok} line on stdout and exit 0.
   */
  @Command(
      name = "check",
      mixinStandardHelpOptions = true,
      description = {
        "Check policy files, or the policies of a config file and that every route's policy exists.",
        "Prints every error as file:line:column: message; exit 0 when all is well, 2 otherwise."
      })
  static final class Check implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @ArgGroup(exclusive = true, multiplicity = "1")
    Source source;

    static final class Source {
      @Parameters(
          paramLabel = "FILE",
          arity = "1..*",
          description = "Policy files (YAML), checked together.")
      List<Path> files;

      @Option(
          names = {"-c", "--config"},
          paramLabel = "CONFIG",
          description =
              "A wssguard config file: check its policies directory (or the embedded default policy)"
                  + " and that every route's policy exists.")
      Path config;
    }

    @Override
    public Integer call() {
      return withOutput(spec, this::check);
    }

    private int check(PrintWriter out, PrintWriter err) throws ConfigException {
      if (source.files != null) {
        PolicySet set = PolicyParser.parseFiles(source.files);
        out.println(ok(set, ""));
        return 0;
      }
      ProxyConfig config = ConfigParser.parse(source.config);
      PolicySet set = PolicyParser.forConfig(config);
      List<String> missing = PolicyParser.missingPolicies(config, set);
      if (!missing.isEmpty()) {
        missing.forEach(m -> err.println(source.config + ": " + m));
        return 2;
      }
      List<String> unshared = PolicyParser.fleetWithoutCluster(config, set);
      if (!unshared.isEmpty()) {
        unshared.forEach(err::println);
        return 2;
      }
      out.println(ok(set, config.policiesDir() == null ? " (the embedded default policy)" : ""));
      return 0;
    }

    private static String ok(PolicySet set, String note) {
      int policies = set.policies().size();
      int files = set.files().size();
      return "ok: "
          + policies
          + (policies == 1 ? " policy" : " policies")
          + " in "
          + files
          + (files == 1 ? " file" : " files")
          + note;
    }
  }

  /** Each policy's effective limits in plain sentences. */
  @Command(
      name = "explain",
      mixinStandardHelpOptions = true,
      description =
          "Explain what the policies in the files do, in plain sentences (exit 2 if they have errors).")
  static final class Explain implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Parameters(paramLabel = "FILE", arity = "1..*", description = "Policy files (YAML).")
    List<Path> files;

    @Override
    public Integer call() {
      return withOutput(spec, this::explain);
    }

    private int explain(PrintWriter out, PrintWriter err) throws ConfigException {
      PolicySet set = PolicyParser.parseFiles(files);
      List<Policy> ordered =
          set.policies().values().stream()
              .sorted(
                  Comparator.comparing((Policy p) -> files.indexOf(Path.of(p.file())))
                      .thenComparingInt(Policy::line))
              .toList();
      for (int i = 0; i < ordered.size(); i++) {
        out.print((i > 0 ? "\n" : "") + PolicyExplanation.of(ordered.get(i)));
      }
      return 0;
    }
  }

  /**
   * Recorded traffic (the config's {@code record} block) through a policy, on the enforcement code
   * the proxy runs and a virtual clock: what it would have refused, dropped, throttled, closed and
   * banned, and whom. The same recording and policy always print the same bytes.
   */
  @Command(
      name = "replay",
      mixinStandardHelpOptions = true,
      description = {
        "Replay recorded traffic through a policy and report what it would have done: per limit the"
            + " handshakes refused, messages dropped or throttled, connections closed, strikes and"
            + " bans, and the sources affected.",
        "With --against, what would change from another policy (the one in force, say): who would"
            + " be newly affected, who no longer, who differently.",
        "Exit 0 with the report, 2 when a policy file or the recording cannot be read."
      })
  static final class Replay implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Option(
        names = "--traffic",
        required = true,
        paramLabel = "DIR",
        description = "The recording directory (record.dir of the config).")
    Path traffic;

    @Option(
        names = "--policy",
        required = true,
        paramLabel = "FILE",
        description = "The policy file to try.")
    Path policy;

    @Option(
        names = "--name",
        paramLabel = "POLICY",
        description = "Which policy of the file: default 'default', or the file's only policy.")
    String name;

    @Option(
        names = "--route",
        paramLabel = "PATH",
        description =
            "Only the traffic of this route (its label, e.g. /chat); default every route.")
    String route;

    @Option(
        names = "--against",
        paramLabel = "OLDFILE",
        description =
            "Compare with this policy file (the one in force, say): who would be newly affected,"
                + " who no longer, who differently.")
    Path against;

    @Option(
        names = "--against-name",
        paramLabel = "POLICY",
        description =
            "Which policy of the --against file: default the --name given, else 'default', else"
                + " the file's only policy.")
    String againstName;

    @Option(names = "--json", description = "Print one JSON document instead of text.")
    boolean json;

    @Override
    public Integer call() {
      return withOutput(spec, this::replay);
    }

    private int replay(PrintWriter out, PrintWriter err) throws ConfigException {
      Policy chosen = choose(policy, name, "--name", err);
      if (chosen == null) {
        return 2;
      }
      Policy old = null;
      if (against != null) {
        old = choose(against, againstName != null ? againstName : name, "--against-name", err);
        if (old == null) {
          return 2;
        }
      }
      List<ReplayReport> reports;
      try {
        reports =
            PolicyReplay.run(
                traffic,
                old == null
                    ? List.of(new CompiledPolicy(chosen))
                    : List.of(new CompiledPolicy(chosen), new CompiledPolicy(old)),
                route);
      } catch (IOException e) {
        err.println(e.getMessage());
        return 2;
      }
      if (old != null) {
        ReplayDiff diff = new ReplayDiff(reports.get(0), reports.get(1));
        out.print(json ? diff.json() + "\n" : diff.text());
      } else {
        out.print(json ? reports.get(0).json() + "\n" : reports.get(0).text());
      }
      return 0;
    }

    /**
     * The policy of {@code file} named {@code wanted}, else {@code default}, else the file's only
     * one; null, with the error printed, when none fits.
     */
    private static Policy choose(Path file, String wanted, String option, PrintWriter err)
        throws ConfigException {
      PolicySet set = PolicyParser.parseFiles(List.of(file));
      Policy p;
      if (wanted != null) {
        p = set.policies().get(wanted);
      } else {
        p = set.policies().get(ConfigParser.DEFAULT_POLICY);
        if (p == null && set.policies().size() == 1) {
          p = set.policies().values().iterator().next();
        }
      }
      if (p == null) {
        err.println(
            file
                + ": no policy '"
                + (wanted == null ? ConfigParser.DEFAULT_POLICY : wanted)
                + "' (expected one of: "
                + String.join(", ", set.policies().keySet().stream().sorted().toList())
                + (wanted == null ? "; or " + option : "")
                + ")");
      }
      return p;
    }
  }

  /**
   * A policy learned from recorded traffic: limits a margin above what the typical source did, each
   * with the figure it came from, ready to edit, replay and check.
   */
  @Command(
      name = "suggest",
      mixinStandardHelpOptions = true,
      description = {
        "Print a policy file whose limits sit a margin above what the typical source of the"
            + " recorded traffic did (the median over sources of each source's own p99 or largest"
            + " figure, so a minority of abusive sources does not raise them), each limit with a"
            + " comment giving its figure.",
        "Exit 0 with the policy, 2 when the recording cannot be read."
      })
  static final class Suggest implements Callable<Integer> {
    private static final Pattern POLICY_NAME = Pattern.compile("[a-z0-9-]+");
    static final double MIN_MARGIN = 1;
    static final double MAX_MARGIN = 100;

    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Option(
        names = "--traffic",
        required = true,
        paramLabel = "DIR",
        description = "The recording directory (record.dir of the config).")
    Path traffic;

    @Option(
        names = "--route",
        paramLabel = "PATH",
        description = "Learn from this route's traffic only (its label, e.g. /chat); default all.")
    String route;

    @Option(
        names = "--margin",
        paramLabel = "X",
        defaultValue = "2",
        description =
            "How far above the typical source each limit sits, a factor 1..100 (default 2).")
    double margin;

    @Option(
        names = "--name",
        paramLabel = "POLICY",
        defaultValue = "suggested",
        description = "The suggested policy's name (default 'suggested').")
    String name;

    @Override
    public Integer call() {
      return withOutput(spec, this::suggest);
    }

    private int suggest(PrintWriter out, PrintWriter err) {
      if (!(margin >= MIN_MARGIN && margin <= MAX_MARGIN)) {
        err.println("--margin: " + margin + " (expected: a number 1..100)");
        return 2;
      }
      if (!POLICY_NAME.matcher(name).matches()) {
        err.println("--name: '" + name + "' (expected: lower-case letters, digits and -)");
        return 2;
      }
      RecordedBaseline.Learned learned;
      try {
        learned = RecordedBaseline.learn(traffic, route);
      } catch (IOException e) {
        err.println(e.getMessage());
        return 2;
      }
      if (learned.baseline().coverage().connections() == 0) {
        err.println(
            traffic
                + ": no connections recorded"
                + (route == null ? "" : " on route " + route)
                + "; nothing to learn from");
        return 2;
      }
      out.print(PolicySuggestion.yaml(learned, name, margin, traffic.toString()));
      return 0;
    }
  }
}
