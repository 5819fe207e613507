package io.wssguard.firewall;

import io.wssguard.ban.Ban;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

/**
 * Runs a rendered {@link FirewallScript}: each step's tool with the rendered text on its standard
 * input. Each load is atomic on its own ({@code ipset swap}, one {@code nft -f} transaction, one
 * {@code iptables-restore} commit) and re-running a script changes nothing, so callers simply apply
 * again after every change.
 *
 * <p>Failures are {@link FirewallException}s naming the missing tool or the failing command and its
 * error output. What to do about them is the caller's choice: the proxy keeps serving and keeps
 * enforcing the ban itself.
 */
public final class FirewallApplier {
  /**
   * Where the tools live on Debian and friends even when PATH (a non-root user's, a service's)
   * leaves them out.
   */
  private static final List<String> SBIN = List.of("/usr/sbin", "/sbin", "/usr/local/sbin");

  private static final long STEP_TIMEOUT_SECONDS = 30;

  private final List<String> commandPrefix;

  public FirewallApplier() {
    this(List.of());
  }

  /**
   * @param commandPrefix put before every command, e.g. {@code ip netns exec NAME} to work inside a
   *     namespace
   */
  public FirewallApplier(List<String> commandPrefix) {
    this.commandPrefix = List.copyOf(commandPrefix);
  }

  /** Renders the bans active at {@code now} for {@code cfg}'s backend. */
  public static FirewallScript render(List<Ban> bans, FirewallConfig cfg, Instant now) {
    return switch (cfg.backend()) {
      case IPSET -> IpsetRenderer.script(bans, cfg, now);
      case NFTABLES -> NftablesRenderer.script(bans, cfg, now);
      case IPTABLES -> IptablesRenderer.script(bans, cfg, now);
    };
  }

  public void apply(List<Ban> bans, FirewallConfig cfg, Instant now) throws FirewallException {
    run(render(bans, cfg, now));
  }

  /**
   * Checks every tool is there before anything changes, then runs the steps in order, stopping at a
   * failure.
   */
  public void run(FirewallScript script) throws FirewallException {
    Set<String> tools = new LinkedHashSet<>();
    for (FirewallScript.Step step : script.steps()) {
      tools.add(step.command().get(0));
      if (!step.unless().isEmpty()) {
        tools.add(step.unless().get(0));
      }
    }
    if (!commandPrefix.isEmpty()) {
      tools.add(commandPrefix.get(0));
    }
    for (String tool : tools) {
      locate(tool);
    }
    for (FirewallScript.Step step : script.steps()) {
      if (!step.unless().isEmpty() && exec(step.unless(), "").exit == 0) {
        continue;
      }
      Result result = exec(step.command(), step.input());
      if (result.exit != 0) {
        String output = result.output.strip();
        String hint =
            output.contains("not permitted")
                    || output.contains("Permission denied")
                    || output.contains("you must be root")
                ? " (changing the firewall needs root or CAP_NET_ADMIN)"
                : "";
        throw new FirewallException(
            "'"
                + String.join(" ", step.command())
                + "' failed (exit "
                + result.exit
                + ")"
                + hint
                + (output.isEmpty() ? "" : ": " + output));
      }
    }
  }

  /**
   * A listener for {@code BanList.addListener}: applies the new list, and hands any failure to
   * {@code onError} rather than throwing into the ban list.
   */
  public Consumer<List<Ban>> listener(FirewallConfig cfg, Consumer<FirewallException> onError) {
    return bans -> {
      try {
        apply(bans, cfg, Instant.now());
      } catch (FirewallException e) {
        onError.accept(e);
      }
    };
  }

  private record Result(int exit, String output) {}

  private Result exec(List<String> command, String input) throws FirewallException {
    List<String> full = new ArrayList<>(commandPrefix);
    if (!commandPrefix.isEmpty()) {
      full.set(0, locate(commandPrefix.get(0)));
    }
    full.add(locate(command.get(0)));
    full.addAll(command.subList(1, command.size()));
    String shown = String.join(" ", command);
    Process process;
    try {
      process = new ProcessBuilder(full).redirectErrorStream(true).start();
    } catch (IOException e) {
      throw new FirewallException("cannot run '" + shown + "': " + e.getMessage());
    }
    // Feed stdin on another thread: a tool that writes a lot before reading must not block us both.
    CompletableFuture<Void> feeding =
        CompletableFuture.runAsync(
            () -> {
              try (OutputStream stdin = process.getOutputStream()) {
                stdin.write(input.getBytes(StandardCharsets.UTF_8));
              } catch (IOException e) {
                // The tool exited without reading it all; its exit status and output say why.
              }
            });
    CompletableFuture<String> reading =
        CompletableFuture.supplyAsync(
            () -> {
              try (InputStream out = process.getInputStream()) {
                return new String(out.readAllBytes(), StandardCharsets.UTF_8);
              } catch (IOException e) {
                return "";
              }
            });
    try {
      if (!process.waitFor(STEP_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        throw new FirewallException(
            "'" + shown + "' did not finish within " + STEP_TIMEOUT_SECONDS + " s");
      }
      feeding.get(5, TimeUnit.SECONDS);
      return new Result(process.exitValue(), reading.get(5, TimeUnit.SECONDS));
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
      throw new FirewallException("interrupted while running '" + shown + "'");
    } catch (ExecutionException | TimeoutException e) {
      throw new FirewallException("'" + shown + "': cannot collect its output: " + e);
    }
  }

  /** The absolute path of {@code tool}, from PATH or the sbin directories. */
  static String locate(String tool) throws FirewallException {
    if (tool.indexOf('/') >= 0) {
      return tool;
    }
    List<String> dirs = new ArrayList<>();
    String path = System.getenv("PATH");
    if (path != null) {
      for (String dir : path.split(File.pathSeparator, -1)) {
        if (!dir.isEmpty()) {
          dirs.add(dir);
        }
      }
    }
    dirs.addAll(SBIN);
    for (String dir : dirs) {
      Path candidate = Path.of(dir, tool);
      if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
        return candidate.toString();
      }
    }
    throw new FirewallException(
        tool
            + ": command not found (looked in PATH and "
            + String.join(":", SBIN)
            + "); install the package that provides it ("
            + packageOf(tool)
            + ") or choose another --backend");
  }

  private static String packageOf(String tool) {
    return switch (tool) {
      case "ipset" -> "ipset";
      case "nft" -> "nftables";
      case "ip" -> "iproute2";
      default -> "iptables";
    };
  }
}
