package io.wssguard.cli;

import io.wssguard.config.ConfigException;
import io.wssguard.config.ConfigParser;
import io.wssguard.config.ProxyConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/**
 * {@code -c/--config} of the commands that act on a running proxy ({@code wssguard ban}, a reload),
 * which find the proxy (and its admin listener, see {@link AdminCall}) from its configuration: the
 * file given, else the packaged {@code /etc/wssguard/wssguard.yaml} when it exists (what the
 * systemd unit runs), else the embedded defaults (what {@code wssguard run} without a file runs).
 */
final class ConfigOption {
  static final Path PACKAGED = Path.of("/etc/wssguard/wssguard.yaml");

  @Option(
      names = {"-c", "--config"},
      paramLabel = "FILE",
      description =
          "The running proxy's configuration, for its admin listener and ban journal (default: "
              + "/etc/wssguard/wssguard.yaml when it exists, else the embedded defaults).")
  Path file;

  /** Whether {@code --config} was given. */
  boolean given() {
    return file != null;
  }

  /** The file in use, or {@code null} for the embedded defaults. */
  Path chosen() {
    if (file != null) {
      return file;
    }
    return Files.isRegularFile(PACKAGED) ? PACKAGED : null;
  }

  /** How messages name the configuration in use. */
  String describe() {
    Path chosen = chosen();
    return chosen == null ? "the embedded defaults" : chosen.toString();
  }

  /**
   * The configuration in use, parsed and validated as {@code wssguard run} does.
   *
   * @throws ConfigException every error as {@code file:line:col: message}
   */
  ProxyConfig load() throws ConfigException {
    Path chosen = chosen();
    return chosen == null ? ConfigParser.embeddedDefaults() : ConfigParser.parse(chosen);
  }
}
