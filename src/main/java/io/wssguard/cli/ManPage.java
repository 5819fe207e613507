package io.wssguard.cli;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;

/**
 * One command's manual page in man(7) troff, written straight from its picocli {@link CommandSpec}
 * so the page says what the parser accepts. Plain troff rather than picocli's AsciiDoc generator:
 * rendering AsciiDoc needs asciidoctor at build time, and the few sections a command has need no
 * more than {@code .TH}, {@code .SH} and {@code .TP}.
 */
final class ManPage {
  private final CommandSpec spec;
  private final String version;

  ManPage(CommandSpec spec, String version) {
    this.spec = spec;
    this.version = version;
  }

  /** {@code wssguard-policy-check} for {@code wssguard policy check}: the page's name and file. */
  static String pageName(CommandSpec spec) {
    return spec.qualifiedName("-");
  }

  /** The commands below {@code spec} that get a page: every visible one but {@code help}. */
  static List<CommandLine> subcommands(CommandSpec spec) {
    return spec.subcommands().values().stream()
        .distinct()
        .filter(c -> !c.getCommandSpec().usageMessage().hidden())
        .filter(c -> !(c.getCommand() instanceof CommandLine.HelpCommand))
        .toList();
  }

  String render() {
    StringBuilder out = new StringBuilder();
    String name = pageName(spec);
    out.append(".TH ")
        .append(quoted(name.toUpperCase(Locale.ROOT)))
        .append(" 1 \"\" ")
        .append(quoted("wssguard " + version))
        .append(" \"wssguard manual\"\n");
    out.append(".SH NAME\n")
        .append(text(name))
        .append(" \\- ")
        .append(text(firstSentence()))
        .append('\n');

    out.append(".SH SYNOPSIS\n.nf\n");
    CommandLine.Help help =
        new CommandLine.Help(spec, CommandLine.Help.defaultColorScheme(CommandLine.Help.Ansi.OFF));
    out.append(text(help.synopsis(0).strip())).append("\n.fi\n");

    out.append(".SH DESCRIPTION\n");
    for (String line : spec.usageMessage().description()) {
      out.append(text(line)).append('\n');
    }

    List<PositionalParamSpec> positionals =
        spec.positionalParameters().stream().filter(p -> !p.hidden()).toList();
    if (!positionals.isEmpty()) {
      out.append(".SH ARGUMENTS\n");
      for (PositionalParamSpec p : positionals) {
        out.append(".TP\n\\fI").append(text(p.paramLabel())).append("\\fR\n");
        out.append(text(String.join(" ", p.description()))).append('\n');
      }
    }

    List<OptionSpec> options = spec.options().stream().filter(o -> !o.hidden()).toList();
    if (!options.isEmpty()) {
      out.append(".SH OPTIONS\n");
      for (OptionSpec o : options) {
        out.append(".TP\n");
        String[] names = o.names();
        for (int i = 0; i < names.length; i++) {
          out.append(i == 0 ? "" : ", ").append("\\fB").append(text(names[i])).append("\\fR");
        }
        if (o.arity().max() > 0) {
          out.append(" \\fI").append(text(o.paramLabel())).append("\\fR");
        }
        out.append('\n').append(text(String.join(" ", o.description()))).append('\n');
      }
    }

    List<CommandLine> subcommands = subcommands(spec);
    if (!subcommands.isEmpty()) {
      out.append(".SH COMMANDS\n");
      for (CommandLine sub : subcommands) {
        CommandSpec s = sub.getCommandSpec();
        out.append(".TP\n\\fB").append(text(s.name())).append("\\fR\n");
        out.append(text(new ManPage(s, version).firstSentence()))
            .append(". See \\fB")
            .append(text(pageName(s)))
            .append("\\fR(1).\n");
      }
    }

    out.append(".SH EXIT STATUS\n");
    Map<String, String> codes = spec.usageMessage().exitCodeList();
    if (codes.isEmpty()) {
      out.append(
              text(
                  "0 on success; 2 when the command line or a file it reads is invalid (each error"
                      + " printed as file:line:column: message); 1 when the work itself failed."))
          .append('\n');
    } else {
      codes.forEach(
          (code, meaning) ->
              out.append(".TP\n\\fB")
                  .append(text(code.strip()))
                  .append("\\fR\n")
                  .append(text(meaning.strip()))
                  .append('\n'));
    }
    out.append(".SH SEE ALSO\n");
    CommandSpec parent = spec.parent();
    String seeAlso =
        parent == null
            ? "/usr/share/doc/wssguard/ (README.md, CONFIG.md, POLICIES.md, OBSERVABILITY.md)"
            : "\\fB" + text(pageName(parent)) + "\\fR(1)";
    out.append(seeAlso).append('\n');
    return out.toString();
  }

  private String firstSentence() {
    String[] description = spec.usageMessage().description();
    String first = description.length == 0 ? "" : description[0].strip();
    return first.endsWith(".") ? first.substring(0, first.length() - 1) : first;
  }

  private static String quoted(String s) {
    return "\"" + text(s).replace("\"", "\\(dq") + "\"";
  }

  /**
   * Text as troff reads it literally: backslashes and hyphens escaped, and a line never starting
   * with a control character ({@code .} or {@code '}).
   */
  static String text(String s) {
    StringBuilder out = new StringBuilder(s.length() + 8);
    boolean lineStart = true;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (lineStart && (c == '.' || c == '\'')) {
        out.append("\\&");
      }
      switch (c) {
        case '\\' -> out.append("\\e");
        case '-' -> out.append("\\-");
        default -> out.append(c);
      }
      lineStart = c == '\n';
    }
    return out.toString();
  }
}
