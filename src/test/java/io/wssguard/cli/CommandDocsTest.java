package io.wssguard.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * The manual pages and completion scripts the packages install, generated from the command line
 * definitions: one page per command with every option, pages that man renders without warnings, and
 * a bash completion that completes the real commands in a real bash.
 */
class CommandDocsTest {
  @TempDir static Path out;

  @BeforeAll
  static void generate() throws IOException {
    CommandDocs.write(out, "9.8.7");
  }

  /** Every command reachable from {@code wssguard}, but {@code help}, as its page name. */
  private static void commands(CommandSpec spec, Set<String> into) {
    into.add(spec.qualifiedName("-"));
    for (CommandLine sub : spec.subcommands().values()) {
      if (!(sub.getCommand() instanceof CommandLine.HelpCommand)) {
        commands(sub.getCommandSpec(), into);
      }
    }
  }

  private static String page(String name) throws IOException {
    try (InputStream in =
        new GZIPInputStream(Files.newInputStream(out.resolve("man1/" + name + ".1.gz")))) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  @Test
  void pages_oneForEveryCommand_eachNamingEveryOptionOfIt() throws IOException {
    Set<String> expected = new TreeSet<>();
    commands(new CommandLine(new Main()).getCommandSpec(), expected);
    assertTrue(expected.containsAll(List.of("wssguard", "wssguard-run", "wssguard-policy-check")));
    Set<String> written;
    try (Stream<Path> files = Files.list(out.resolve("man1"))) {
      written =
          files
              .map(p -> p.getFileName().toString().replace(".1.gz", ""))
              .collect(Collectors.toCollection(TreeSet::new));
    }
    assertEquals(expected, written);

    List<String> missing = new ArrayList<>();
    collectMissingOptions(new CommandLine(new Main()).getCommandSpec(), missing);
    assertTrue(missing.isEmpty(), "options missing from their page: " + missing);
  }

  private static void collectMissingOptions(CommandSpec spec, List<String> missing)
      throws IOException {
    if (spec.commandLine().getCommand() instanceof CommandLine.HelpCommand) {
      return;
    }
    String page = page(spec.qualifiedName("-"));
    for (OptionSpec o : spec.options()) {
      if (!page.contains("\\fB" + ManPage.text(o.longestName()) + "\\fR")) {
        missing.add(spec.qualifiedName() + " " + o.longestName());
      }
    }
    for (CommandLine sub : spec.subcommands().values()) {
      collectMissingOptions(sub.getCommandSpec(), missing);
    }
  }

  @Test
  void page_hasTheTroffSectionsAndTheVersion() throws IOException {
    String page = page("wssguard-policy-check");
    assertTrue(
        page.startsWith(
            ".TH \"WSSGUARD\\-POLICY\\-CHECK\" 1 \"\" \"wssguard 9.8.7\" \"wssguard manual\"\n"
                + ".SH NAME\nwssguard\\-policy\\-check \\- "),
        page);
    for (String section :
        List.of(".SH SYNOPSIS", ".SH DESCRIPTION", ".SH OPTIONS", ".SH SEE ALSO")) {
      assertTrue(page.contains("\n" + section + "\n"), section);
    }
    assertTrue(page.contains("\\fBwssguard\\-policy\\fR(1)"), page);
    assertTrue(page("wssguard-policy").contains(".TP\n\\fBcheck\\fR\n"), page("wssguard-policy"));
  }

  @Test
  void exitStatus_listsACommandsOwnExitCodes_whenItHasThem() throws Exception {
    String page = page("wssguard-ban-add");
    String exit = page.substring(page.indexOf(".SH EXIT STATUS\n"), page.indexOf(".SH SEE ALSO"));
    assertTrue(exit.contains(".TP\n\\fB0\\fR\ndone\n"), exit);
    assertTrue(
        exit.contains(".TP\n\\fB3\\fR\nnot banned: the target overlaps a never\\-ban"), exit);
    assertTrue(page("wssguard-run").contains(".SH EXIT STATUS\n0 on success; 2 when"));
    String reload = page("wssguard-reload");
    assertTrue(reload.contains(".SH EXIT STATUS\n.TP\n\\fB0\\fR\napplied\n"), reload);
    assertTrue(reload.contains(".TP\n\\fB3\\fR\nno proxy answers at the admin address\n"), reload);
    assertEquals("reload\n", bashComplete("wssguard", "relo"));
  }

  @Test
  void text_escapesBackslashesHyphensAndLeadingDots() {
    assertEquals(
        "\\&.hidden \\e \\-\\-config\n\\&'quote", ManPage.text(".hidden \\ --config\n'quote"));
  }

  @Test
  void man_rendersEveryPageWithoutWarnings() throws Exception {
    assumeTrue(Files.isExecutable(Path.of("/usr/bin/man")), "man is installed");
    try (Stream<Path> files = Files.list(out.resolve("man1"))) {
      for (Path p : files.toList()) {
        ProcessBuilder pb =
            new ProcessBuilder("man", "--warnings=all", "-l", p.toString())
                .redirectErrorStream(true);
        pb.environment().put("MANWIDTH", "80");
        pb.environment().put("MANPAGER", "cat");
        pb.environment().put("PAGER", "cat");
        Process man = pb.start();
        String text = new String(man.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(man.waitFor(30, TimeUnit.SECONDS));
        assertEquals(0, man.exitValue(), text);
        assertTrue(text.contains("NAME") && text.contains("SYNOPSIS"), text);
        assertTrue(!text.contains("warning"), p + ": " + text);
      }
    }
  }

  @Test
  void gzip_isMaximumCompressionWithoutNameOrTime_andRoundTrips() throws IOException {
    byte[] data = "hello hello hello".getBytes(StandardCharsets.UTF_8);
    byte[] gz = CommandDocs.gzip(data);
    assertEquals(2, gz[8], "XFL");
    assertEquals(0, gz[3], "FLG: no name, no comment");
    assertArrayEquals(new byte[4], new byte[] {gz[4], gz[5], gz[6], gz[7]}, "MTIME");
    assertArrayEquals(data, new GZIPInputStream(new ByteArrayInputStream(gz)).readAllBytes());
  }

  private static String bashComplete(String... words) throws Exception {
    assumeTrue(Files.isExecutable(Path.of("/bin/bash")), "bash is installed");
    String script =
        "source \"$1\"; shift; COMP_WORDS=(\"$@\"); COMP_CWORD=$(( $# - 1 ));"
            + " COMP_LINE=\"$*\"; COMP_POINT=${#COMP_LINE}; _complete_wssguard;"
            + " printf '%s\\n' \"${COMPREPLY[@]}\"";
    List<String> command = new ArrayList<>(List.of("bash", "-c", script, "bash"));
    command.add(out.resolve("bash/wssguard").toString());
    command.addAll(List.of(words));
    Process bash = new ProcessBuilder(command).redirectErrorStream(true).start();
    String text = new String(bash.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(bash.waitFor(30, TimeUnit.SECONDS));
    return text;
  }

  @Test
  void bashCompletion_completesCommandsAndSubcommands_inARealBash() throws Exception {
    assertEquals("policy\n", bashComplete("wssguard", "pol"));
    Set<String> policy = new TreeSet<>(List.of(bashComplete("wssguard", "policy", "").split("\n")));
    assertTrue(policy.containsAll(List.of("check", "explain")), policy.toString());
    assertTrue(bashComplete("wssguard", "run", "--con").contains("--config"));
  }

  @Test
  void zshCompletion_wrapsTheBashScriptThroughBashcompinit() throws IOException {
    String zsh = Files.readString(out.resolve("zsh/_wssguard"));
    String bash = Files.readString(out.resolve("bash/wssguard"));
    assertTrue(zsh.startsWith("#compdef wssguard\n"), zsh);
    assertTrue(!bash.startsWith("#!"), "a sourced script has no #! line");
    assertTrue(zsh.contains("bashcompinit\n" + bash), "the bash script follows bashcompinit");
    assertTrue(zsh.endsWith("\n_bash_complete -F _complete_wssguard -o default \"$@\"\n"), zsh);
  }
}
