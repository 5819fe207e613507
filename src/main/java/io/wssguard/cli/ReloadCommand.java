package io.wssguard.cli;

import io.wssguard.admin.AdminToken;
import io.wssguard.admin.ReloadAnswer;
import io.wssguard.config.AdminConfig;
import io.wssguard.config.ConfigException;
import io.wssguard.config.ConfigParser;
import io.wssguard.config.ProxyConfig;
import io.wssguard.observe.ReloadOutcome;
import io.wssguard.quantity.Quantities;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code wssguard reload}: asks the running proxy to reload its configuration through the admin API
 * ({@code POST /reload}) and reports the outcome, so a deploy script or {@code systemctl} learns
 * whether the reload was applied (SIGHUP cannot answer). The admin address and token come from the
 * same configuration file the proxy runs: {@code admin.bind}, and the token in {@code
 * admin.tokenFile} (or its default, {@code state/admin.token} beside the file), read as {@link
 * AdminToken} reads it.
 *
 * <p>Exit codes: 0 applied; 1 refused (every error printed, file first, the running configuration
 * stays) or the proxy answered with another error; 2 the configuration file given here is bad or
 * has no admin listener; 3 no proxy answers at the admin address.
 */
@Command(
    name = "reload",
    mixinStandardHelpOptions = true,
    description = {
      "Ask the running proxy to reload its configuration, and report the outcome.",
      "Like SIGHUP, but waits for the outcome and prints it: applied, or refused with every error"
          + " (file:line:col: ...) while the running configuration stays in force. Listeners may be"
          + " added, removed or moved (a removed one stops accepting and its conversations are"
          + " closed with 1001 within timeouts.drain); a changed admin token applies; admin.bind"
          + " cannot change without a restart.",
      "The admin listener's address (admin.bind) and token (admin.tokenFile, default"
          + " state/admin.token beside the file) are read from --config, which must be the file the"
          + " proxy runs."
    },
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
      "0:applied",
      "1:refused, nothing changed (or the proxy answered another error)",
      "2:the configuration file given is bad or has no admin listener",
      "3:no proxy answers at the admin address"
    })
final class ReloadCommand implements Callable<Integer> {
  static final int APPLIED = 0;
  static final int REFUSED = 1;
  static final int BAD_CONFIG = 2;
  static final int NO_PROXY = 3;

  /** A proxy on this host accepts at once; longer means nothing is there to answer. */
  private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Option(
      names = {"-c", "--config"},
      paramLabel = "FILE",
      required = true,
      description = "The configuration file the running proxy was started with.")
  Path config;

  @Option(
      names = "--timeout",
      paramLabel = "DURATION",
      defaultValue = "60s",
      description = "How long to wait for the outcome (default: 60s).")
  String timeout;

  @Override
  public Integer call() throws InterruptedException {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    Duration wait;
    try {
      wait = Quantities.parseDuration(timeout, Duration.ofSeconds(1), Quantities.MAX_TIMEOUT);
    } catch (IllegalArgumentException e) {
      throw new CommandLine.ParameterException(
          spec.commandLine(), "reload: --timeout '" + timeout + "' (" + e.getMessage() + ")");
    }
    ProxyConfig cfg;
    try {
      cfg = ConfigParser.parse(config);
    } catch (ConfigException e) {
      err.println(e.getMessage());
      return BAD_CONFIG;
    }
    AdminConfig admin = cfg.admin();
    if (!admin.enabled() || admin.bind().getPort() == 0) {
      err.println(
          config
              + ": admin.bind: "
              + (admin.enabled()
                  ? "port 0 (the proxy chose a port this command cannot know)"
                  : "off")
              + ": wssguard reload talks to the admin listener; name its address, or send the"
              + " proxy SIGHUP (systemctl kill -s HUP wssguard), which reloads without reporting");
      return BAD_CONFIG;
    }
    AdminCall proxy = AdminCall.to(admin).answerWithin(wait);
    String where = AdminCall.hostPort(AdminCall.reachable(admin.bind()));
    AdminCall.Answer answer;
    try {
      answer = proxy.change("POST", "/reload", "{}");
    } catch (AdminCall.Unreachable e) {
      if (e.proxyListens()) {
        err.println("reload: " + e.getMessage());
        return REFUSED;
      }
      return noProxy(err, e.getMessage());
    }
    return report(answer, where, out, err);
  }

  private int report(AdminCall.Answer answer, String where, PrintWriter out, PrintWriter err) {
    int status = answer.status();
    if (status == 200 || status == 409) {
      ReloadOutcome outcome;
      try {
        outcome = ReloadAnswer.parse(answer.body());
      } catch (IOException e) {
        err.println("reload: " + where + " answered " + status + " but not a reload outcome: " + e);
        return REFUSED;
      }
      if (outcome.applied()) {
        out.println("reload applied: " + config + " (" + where + ", " + outcome.at() + ")");
        return APPLIED;
      }
      outcome.errors().forEach(err::println);
      err.println(
          "reload refused: "
              + outcome.errors().size()
              + (outcome.errors().size() == 1 ? " error" : " errors")
              + ", the running configuration stays");
      return REFUSED;
    }
    String body = answer.body().strip();
    if (status == 401) {
      err.println(
          "reload: the admin listener at "
              + where
              + " refused the token in the configured admin.tokenFile (401): is --config the file"
              + " the proxy runs? A token changed since the proxy last loaded it takes effect at"
              + " the next reload: send SIGHUP (systemctl kill -s HUP wssguard) this once");
    } else {
      err.println("reload: the admin listener at " + where + " answered " + status + ": " + body);
    }
    return REFUSED;
  }

  private static int noProxy(PrintWriter err, String why) {
    err.println(
        "reload: no proxy answers: " + why + "; is wssguard running with this configuration?");
    return NO_PROXY;
  }
}
