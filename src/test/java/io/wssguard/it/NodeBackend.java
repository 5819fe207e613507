package io.wssguard.it;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * The Node {@code ws} test backend (src/test/node/ws-backend.js) as a child process on a loopback
 * port.
 */
final class NodeBackend implements AutoCloseable {
  private final Process process;
  private final int port;

  private NodeBackend(Process process, int port) {
    this.process = process;
    this.port = port;
  }

  static NodeBackend start() throws IOException {
    return start(null, null);
  }

  /** With a certificate chain and key: a {@code wss://} backend. */
  static NodeBackend start(Path cert, Path key) throws IOException {
    Path dir = Path.of("src/test/node");
    if (!Files.isDirectory(dir.resolve("node_modules/ws"))) {
      throw new IllegalStateException(
          "src/test/node/node_modules/ws is missing: run `npm ci --prefix src/test/node`"
              + " (mvn verify does it in pre-integration-test)");
    }
    java.util.List<String> cmd =
        new java.util.ArrayList<>(
            java.util.List.of("node", dir.resolve("ws-backend.js").toString(), "0"));
    if (cert != null) {
      cmd.add(cert.toString());
      cmd.add(key.toString());
    }
    Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    BufferedReader out =
        new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
    String line = out.readLine();
    if (line == null || !line.startsWith("listening ")) {
      p.destroyForcibly();
      throw new IOException("node backend did not start: " + line);
    }
    return new NodeBackend(p, Integer.parseInt(line.substring("listening ".length()).trim()));
  }

  int port() {
    return port;
  }

  String url(String path) {
    return "ws://127.0.0.1:" + port + path;
  }

  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(5, TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }
}
