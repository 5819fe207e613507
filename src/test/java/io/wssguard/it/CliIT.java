package io.wssguard.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The packaged jar as a user runs it: its commands, exit codes, banner, and SIGTERM. */
class CliIT {
  private static final Path JAR = Path.of("target/wssguard.jar").toAbsolutePath();
  private static final Pattern LISTENING =
      Pattern.compile("listening (wss?)://127\\.0\\.0\\.1:(\\d+)/");

  @TempDir Path dir;

  private static ProcessBuilder wssguard(Path workDir, String... args) {
    List<String> cmd =
        new ArrayList<>(
            List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar",
                JAR.toString()));
    cmd.addAll(List.of(args));
    return new ProcessBuilder(cmd).directory(workDir.toFile());
  }

  private static String run(ProcessBuilder pb, int expectedExit) throws Exception {
    pb.redirectErrorStream(true);
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(30, TimeUnit.SECONDS));
    assertEquals(expectedExit, p.exitValue(), out);
    return out;
  }

  @Test
  void printsVersionAndHelp() throws Exception {
    assertTrue(run(wssguard(dir, "--version"), 0).startsWith("wssguard "));
    String help = run(wssguard(dir, "--help"), 0);
    assertTrue(help.contains("run"), help);
  }

  @Test
  void exits2_withPositionedError_andStartsNothing_forBadConfig() throws Exception {
    int port = freePort();
    Files.writeString(
        dir.resolve("bad.yaml"),
        """
        listeners:
          - name: plain
            bind: 127.0.0.1:%d
        backends:
          demo:
            servers: [ws://127.0.0.1:9/]
        routes:
          - path: /
            backend: nowhere
            maxMessageBytes: -1
        """
            .formatted(port));
    String out = run(wssguard(dir, "run", "--config", "bad.yaml"), 2);
    assertTrue(
        out.contains("bad.yaml:9:14: routes[0].backend: unknown backend group 'nowhere'"), out);
    assertTrue(out.contains("bad.yaml:10:22: routes[0].maxMessageBytes: -1"), out);
    assertFalse(canConnect(port), "nothing may listen after a config error");
  }

  @Test
  void exits2_andStartsNothing_whenARouteNamesAnUnknownPolicy() throws Exception {
    int port = freePort();
    Files.createDirectories(dir.resolve("policies"));
    Files.writeString(dir.resolve("policies/chat.yaml"), "policies:\n  chat: {}\n");
    Files.writeString(
        dir.resolve("wssguard.yaml"),
        """
        listeners:
          - name: plain
            bind: 127.0.0.1:%d
        backends:
          demo:
            servers: [ws://127.0.0.1:9/]
        routes:
          - path: /chat
            backend: demo
            policy: chat
          - backend: demo
        policies:
          dir: policies/
        """
            .formatted(port));
    String out = run(wssguard(dir, "run", "--config", "wssguard.yaml"), 2);
    assertEquals(
        "wssguard.yaml: routes[1].policy: unknown policy 'default' (expected one of: chat)\n", out);
    assertFalse(canConnect(port), "nothing may listen after a policy error");
  }

  @Test
  void servesDemoEcho_andDrainsWith1001_onSigterm() throws Exception {
    Files.writeString(
        dir.resolve("wssguard.yaml"),
        """
        listeners:
          - name: public
            bind: 127.0.0.1:0
            tls:
              certificates:
                - chain: certs/cert.pem
                  key: certs/key.pem
                  generateIfMissing: true
        backends:
          demo:
            servers: [ws://127.0.0.1:%d/]
        routes:
          - backend: demo
        timeouts:
          drain: 5s
        demoBackend:
          bind: 127.0.0.1:%1$d
        """
            .formatted(freePort()));
    Process p = wssguard(dir, "run", "--config", "wssguard.yaml").redirectErrorStream(true).start();
    try {
      BufferedReader out =
          new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
      StringBuilder banner = new StringBuilder();
      Matcher m = null;
      for (String line; (line = out.readLine()) != null; ) {
        banner.append(line).append('\n');
        Matcher candidate = LISTENING.matcher(line);
        if (candidate.find()) {
          m = candidate;
          break;
        }
      }
      assertTrue(m != null && m.group(1).equals("wss"), banner.toString());
      assertTrue(banner.toString().contains("BoringSSL"), banner.toString());
      assertTrue(banner.toString().contains("SHA256:"), banner.toString());
      JdkClient c = JdkClient.connect(URI.create("wss://127.0.0.1:" + m.group(2) + "/"));
      assertEquals("echo me", c.sendTextAndAwait("echo me"));
      p.destroy(); // SIGTERM
      assertEquals(1001, c.awaitClose());
      c.ws.sendClose(1000, "").exceptionally(alreadyAnswered -> null).join();
      assertTrue(p.waitFor(15, TimeUnit.SECONDS), "must exit after the drain");
      assertEquals(0, p.exitValue());
    } finally {
      p.destroyForcibly();
    }
  }

  @Test
  void generatesDevCertificateOnce_andNeverOverwritesIt() throws Exception {
    String first = startAndStopDefaults();
    Path cert = dir.resolve("certs/dev-cert.pem");
    assertTrue(Files.exists(cert) && Files.exists(dir.resolve("certs/dev-key.pem")));
    String pem = Files.readString(cert);
    String second = startAndStopDefaults();
    assertEquals(pem, Files.readString(cert));
    assertEquals(fingerprint(first), fingerprint(second));
    assertTrue(first.contains("listening wss://127.0.0.1:8443/"), first);
    assertTrue(first.contains("demo echo backend ws://127.0.0.1:9000/"), first);
  }

  /** `wssguard run` on embedded defaults (the README's command), stopped once its banner is out. */
  private String startAndStopDefaults() throws Exception {
    Process p = wssguard(dir, "run").redirectErrorStream(true).start();
    try {
      BufferedReader out =
          new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
      StringBuilder banner = new StringBuilder();
      for (String line; (line = out.readLine()) != null; ) {
        banner.append(line).append('\n');
        if (line.contains("demo echo backend")) {
          break;
        }
      }
      JdkClient c = JdkClient.connect(URI.create("wss://127.0.0.1:8443/"));
      assertEquals("hello", c.sendTextAndAwait("hello"));
      p.destroy();
      assertTrue(p.waitFor(20, TimeUnit.SECONDS));
      assertEquals(0, p.exitValue(), banner.toString());
      return banner.toString();
    } finally {
      p.destroyForcibly();
      p.waitFor(5, TimeUnit.SECONDS);
    }
  }

  private static String fingerprint(String banner) {
    Matcher m = Pattern.compile("SHA256:[0-9A-F:]+").matcher(banner);
    assertTrue(m.find(), banner);
    return m.group();
  }

  private static int freePort() throws IOException {
    try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  private static boolean canConnect(int port) {
    try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
      return true;
    } catch (IOException e) {
      return false;
    }
  }
}
