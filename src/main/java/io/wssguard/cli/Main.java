package io.wssguard.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code wssguard} command line. */
@Command(
    name = "wssguard",
    mixinStandardHelpOptions = true,
    versionProvider = Version.class,
    description = "Security-hardened WebSocket-over-TLS proxy.",
    subcommands = {
      RunCommand.class,
      CheckCommand.class,
      ReloadCommand.class,
      PolicyCommand.class,
      BanCommand.class,
      FirewallCommand.class,
      BenchCommand.class,
      CertsCommand.class,
      CommandLine.HelpCommand.class
    })
public final class Main implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  public static void main(String[] args) {
    Logging.configure();
    System.exit(new CommandLine(new Main()).execute(args));
  }

  @Override
  public void run() {
    spec.commandLine().usage(System.out);
  }
}
