package io.wssguard.it;

import io.wssguard.testing.Await;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The packaged jar running as the proxy, {@code wssguard run --config FILE} in a directory, the way
 * the service runs it: started, waited for until its banner names the admin listener, stopped with
 * SIGTERM (the graceful drain) on close. For tests of commands that talk to a running proxy.
 */
final class JarProxy implements AutoCloseable {
  private final Process process;
  private final List<String> out = Collections.synchronizedList(new ArrayList<>());
  private final List<String> err = Collections.synchronizedList(new ArrayList<>());

  private JarProxy(Process process) {
    this.process = process;
    collect(process.getInputStream(), out);
    collect(process.getErrorStream(), err);
  }

  /** A port free now on loopback, for a config file that must name its ports. */
  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  /** Starts {@code wssguard run --config config} in {@code dir}; returns once it serves. */
  static JarProxy start(Path dir, String config) throws Exception {
    JarProxy proxy =
        new JarProxy(
            new ProcessBuilder(
                    Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-jar",
                    JarRun.JAR.toString(),
                    "run",
                    "--config",
                    config)
                .directory(dir.toFile())
                .start());
    try {
      Await.until(
          () -> proxy.printed("  admin http://") || !proxy.process.isAlive(),
          Duration.ofSeconds(30),
          () -> "the proxy's banner; stderr: " + proxy.err);
      if (!proxy.process.isAlive()) {
        throw new IllegalStateException("the proxy exited; stderr: " + proxy.err);
      }
      return proxy;
    } catch (Exception | AssertionError e) {
      proxy.close();
      throw e;
    }
  }

  /** What the proxy has written to stderr so far (its log), for a failing test's message. */
  String stderr() {
    synchronized (err) {
      return String.join("\n", err);
    }
  }

  private boolean printed(String prefix) {
    synchronized (out) {
      return out.stream().anyMatch(line -> line.startsWith(prefix));
    }
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
    if (!process.waitFor(30, TimeUnit.SECONDS)) {
      process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
  }
}
