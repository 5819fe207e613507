package io.wssguard.it;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** One run of the packaged jar as a command, the way an operator types it: exit code and output. */
record JarRun(int exit, String out, String err) {
  static final Path JAR = Path.of("target/wssguard.jar").toAbsolutePath();

  /** {@code java -jar wssguard.jar args...} in {@code dir}, waited for (30 s at most). */
  static JarRun run(Path dir, String... args) throws Exception {
    return exec(dir, command(List.of(), args));
  }

  /**
   * The command line {@code java jvmOptions... -jar wssguard.jar args...}, for a caller that wraps
   * it (runs it as another user) or keeps it running ({@link JarProxy}).
   */
  static List<String> command(List<String> jvmOptions, String... args) {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.addAll(jvmOptions);
    cmd.add("-jar");
    cmd.add(JAR.toString());
    cmd.addAll(List.of(args));
    return cmd;
  }

  /**
   * Any {@code command} in {@code dir}, waited for the same way: a wrapped {@link #command}, or the
   * system tools a test prepares the ground with.
   */
  static JarRun exec(Path dir, List<String> command) throws Exception {
    Process p = new ProcessBuilder(command).directory(dir.toFile()).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(30, TimeUnit.SECONDS));
    return new JarRun(p.exitValue(), out, err);
  }
}
