package io.wssguard.it;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.wssguard.testing.Await;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The packaged jar running as the proxy, {@code wssguard run --config FILE} in a directory, the way
 * the service runs it: started, waited for until its banner says it serves, its output kept line by
 * line for the test to wait on, and stopped with SIGTERM (the graceful drain) on close, killed if
 * it still runs 30 seconds later (a test about the drain checks it with {@link #sigterm} and {@link
 * #awaitExit}). The one launcher of a long-running jar process in the integration tests; {@link
 * JarRun} runs the commands that end by themselves.
 */
final class JarProxy implements AutoCloseable {
  /** The banner line of the admin listener, printed once the proxy serves. */
  static final String ADMIN_LINE = "  admin http://";

  private static final Duration WAIT = Duration.ofSeconds(30);

  private final Process process;
  private final List<String> out = Collections.synchronizedList(new ArrayList<>());
  private final List<String> err = Collections.synchronizedList(new ArrayList<>());

  private JarProxy(Process process) {
    this.process = process;
    collect(process.getInputStream(), out);
    collect(process.getErrorStream(), err);
  }

  /** Starts {@code wssguard run --config config} in {@code dir}; returns once its admin serves. */
  static JarProxy start(Path dir, String config) throws Exception {
    return start(dir, List.of(), ADMIN_LINE, "run", "--config", config);
  }

  /**
   * Starts {@code java jvmOptions... -jar wssguard.jar args...} in {@code dir}; returns once a line
   * on stdout contains {@code readyLine} (a banner line: a listener's or the demo backend's when
   * there is no admin listener).
   */
  static JarProxy start(Path dir, List<String> jvmOptions, String readyLine, String... args)
      throws Exception {
    JarProxy proxy =
        new JarProxy(
            new ProcessBuilder(JarRun.command(jvmOptions, args)).directory(dir.toFile()).start());
    try {
      Await.until(
          () -> proxy.first(proxy.out, readyLine) != null || !proxy.process.isAlive(),
          WAIT,
          () -> "the proxy's banner line '" + readyLine + "'; " + proxy.output());
      assertTrue(proxy.process.isAlive(), () -> "the proxy exited; " + proxy.output());
      return proxy;
    } catch (Exception | AssertionError e) {
      proxy.close();
      throw e;
    }
  }

  /** The first stdout line that contains every fragment, waited for (30 s at most). */
  String awaitOut(String... fragments) throws Exception {
    return await(out, "stdout", fragments);
  }

  /** The first stderr line that contains every fragment, waited for (30 s at most). */
  String awaitErr(String... fragments) throws Exception {
    return await(err, "stderr", fragments);
  }

  /** What the proxy has written to stderr so far (its log), for a failing test's message. */
  String stderr() {
    synchronized (err) {
      return String.join("\n", err);
    }
  }

  /** Everything on stdout so far, each line ended by a newline. */
  String out() {
    synchronized (out) {
      StringBuilder sb = new StringBuilder();
      out.forEach(line -> sb.append(line).append('\n'));
      return sb.toString();
    }
  }

  /** Sends SIGTERM and returns at once: the test watches the drain. */
  void sigterm() {
    process.destroy();
  }

  /** The exit code, once the process has exited; fails if it has not within {@code within}. */
  int awaitExit(Duration within) throws InterruptedException {
    assertTrue(
        process.waitFor(within.toMillis(), TimeUnit.MILLISECONDS),
        () -> "the proxy still runs after " + within + "; " + output());
    return process.exitValue();
  }

  private String await(List<String> lines, String stream, String... fragments) throws Exception {
    String[] found = new String[1];
    Await.until(
        () -> (found[0] = first(lines, fragments)) != null,
        WAIT,
        () -> "a line on " + stream + " with " + List.of(fragments) + "; " + output());
    return found[0];
  }

  private static String first(List<String> lines, String... fragments) {
    synchronized (lines) {
      return lines.stream()
          .filter(line -> List.of(fragments).stream().allMatch(line::contains))
          .findFirst()
          .orElse(null);
    }
  }

  private String output() {
    return "stdout: " + out + "; stderr: " + err;
  }

  private static void collect(InputStream in, List<String> into) {
    Thread t =
        new Thread(
            () -> {
              try (BufferedReader r =
                  new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
                for (String line = r.readLine(); line != null; line = r.readLine()) {
                  into.add(line);
                }
              } catch (IOException e) {
                // the process ended
              }
            });
    t.setDaemon(true);
    t.start();
  }

  @Override
  public void close() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS)) {
      process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
  }
}
