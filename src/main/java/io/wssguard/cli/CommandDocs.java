package io.wssguard.cli;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.Deflater;
import java.util.zip.GZIPOutputStream;
import picocli.AutoComplete;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;

/**
 * Writes what the packages install about the command line, generated from the same picocli
 * definitions the program parses with, so neither can drift from the code: a manual page per
 * command ({@code man1/wssguard*.1.gz}), bash completion ({@code bash/wssguard}, picocli's {@link
 * AutoComplete}) and zsh completion ({@code zsh/_wssguard}: the bash script run through zsh's
 * {@code bashcompinit}). Run by the {@code packages} Maven profile at {@code prepare-package}:
 *
 * <pre>java -cp target/classes:... io.wssguard.cli.CommandDocs OUTDIR VERSION</pre>
 */
public final class CommandDocs {
  private CommandDocs() {}

  public static void main(String[] args) throws IOException {
    if (args.length != 2) {
      throw new IllegalArgumentException("usage: CommandDocs OUTDIR VERSION");
    }
    write(Path.of(args[0]), args[1]);
  }

  static void write(Path out, String version) throws IOException {
    CommandLine root = new CommandLine(new Main());
    Path man = Files.createDirectories(out.resolve("man1"));
    writePages(root.getCommandSpec(), man, version);

    // Sourced by bash-completion, never executed: no #! line (Debian's lintian flags one).
    String bash = AutoComplete.bash("wssguard", root).replaceFirst("\\A#!.*\n", "");
    Files.writeString(
        Files.createDirectories(out.resolve("bash")).resolve("wssguard"),
        bash,
        StandardCharsets.UTF_8);
    Files.writeString(
        Files.createDirectories(out.resolve("zsh")).resolve("_wssguard"),
        zsh(bash),
        StandardCharsets.UTF_8);
  }

  private static void writePages(CommandSpec spec, Path dir, String version) throws IOException {
    byte[] page = new ManPage(spec, version).render().getBytes(StandardCharsets.UTF_8);
    Files.write(dir.resolve(ManPage.pageName(spec) + ".1.gz"), gzip(page));
    for (CommandLine sub : ManPage.subcommands(spec)) {
      writePages(sub.getCommandSpec(), dir, version);
    }
  }

  /**
   * zsh autoloads {@code _wssguard} from its function path on the first completion: the file
   * defines the bash functions, registers them through {@code bashcompinit}, then completes the
   * word at hand (later completions call the registered function directly).
   */
  static String zsh(String bash) {
    return "#compdef wssguard\n"
        + "# wssguard completion for zsh: the bash completion script, run through bashcompinit.\n"
        + "autoload -U +X bashcompinit && bashcompinit\n"
        + bash
        + "\n_bash_complete -F _complete_wssguard -o default \"$@\"\n";
  }

  /**
   * gzip at maximum compression with no name and no time stamp (as {@code gzip -9n} writes it): the
   * same page always gives the same bytes, and Debian's checks read the header's compression flag.
   */
  static byte[] gzip(byte[] data) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (OutputStream gz =
        new GZIPOutputStream(bytes) {
          {
            def.setLevel(Deflater.BEST_COMPRESSION);
          }
        }) {
      gz.write(data);
    }
    byte[] out = bytes.toByteArray();
    out[8] = 2; // XFL: maximum compression (RFC 1952, 2.3.1)
    out[9] = 3; // OS: Unix
    return out;
  }
}
