package io.wssguard.firewall;

import java.util.List;

/**
 * What an apply does, as data: commands to run in order, each with its standard input. A renderer
 * builds one from the ban list and the config; {@link FirewallApplier} runs it; {@code wssguard
 * firewall render} prints it.
 *
 * @param steps in order; the first that fails stops the rest
 */
public record FirewallScript(List<Step> steps) {
  public FirewallScript {
    steps = List.copyOf(steps);
  }

  /**
   * One command.
   *
   * @param command tool name, then its arguments
   * @param input its standard input (empty for none)
   * @param unless if not empty, a check run first: when it exits 0 the step is already done and is
   *     skipped. It makes inserting the jump into INPUT (a chain wssguard does not own) idempotent
   */
  public record Step(List<String> command, String input, List<String> unless) {
    public Step {
      command = List.copyOf(command);
      unless = List.copyOf(unless);
    }

    static Step feed(String input, String... command) {
      return new Step(List.of(command), input, List.of());
    }
  }

  /** For people: each step's command line, then its input. */
  public String text() {
    StringBuilder s = new StringBuilder();
    for (Step step : steps) {
      s.append("# ");
      if (!step.unless().isEmpty()) {
        s.append(String.join(" ", step.unless())).append(" || ");
      }
      s.append(String.join(" ", step.command())).append('\n');
      s.append(step.input());
    }
    return s.toString();
  }
}
