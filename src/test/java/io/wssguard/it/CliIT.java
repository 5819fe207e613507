package io.wssguard.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.wssguard.testing.FreePort;
import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The packaged jar as a user runs it: its commands, exit codes, banner, and SIGTERM. */
class CliIT {
  private static final Pattern LISTENING =
      Pattern.compile("listening (wss?)://127\\.0\\.0\\.1:(\\d+)/");

  @TempDir Path dir;

  /** {@code wssguard args...} in the test's directory, which must exit with {@code exit}. */
  private JarRun wssguard(int exit, String... args) throws Exception {
    JarRun run = JarRun.run(dir, args);
    assertEquals(exit, run.exit(), run.out() + run.err());
    return run;
  }

  @Test
  void printsVersionAndHelp() throws Exception {
    assertTrue(wssguard(0, "--version").out().startsWith("wssguard "));
    String help = wssguard(0, "--help").out();
    assertTrue(help.contains("run"), help);
  }

  @Test
  void exits2_withPositionedError_andStartsNothing_forBadConfig() throws Exception {
    int port = FreePort.next();
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
    String out = wssguard(2, "run", "--config", "bad.yaml").err();
    assertTrue(
        out.contains("bad.yaml:9:14: routes[0].backend: unknown backend group 'nowhere'"), out);
    assertTrue(out.contains("bad.yaml:10:22: routes[0].maxMessageBytes: -1"), out);
    assertFalse(canConnect(port), "nothing may listen after a config error");
  }

  @Test
  void exits2_andStartsNothing_whenARouteNamesAnUnknownPolicy() throws Exception {
    int port = FreePort.next();
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
    JarRun run = wssguard(2, "run", "--config", "wssguard.yaml");
    assertEquals("", run.out());
    assertEquals(
        "wssguard.yaml: routes[1].policy: unknown policy 'default' (expected one of: chat)\n",
        run.err());
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
            .formatted(FreePort.next()));
    try (JarProxy proxy =
        JarProxy.start(dir, List.of(), "listening ", "run", "--config", "wssguard.yaml")) {
      String listening = proxy.awaitOut("listening ");
      Matcher m = LISTENING.matcher(listening);
      assertTrue(m.find() && m.group(1).equals("wss"), listening);
      assertTrue(listening.contains("BoringSSL"), listening);
      assertTrue(listening.contains("SHA256:"), listening);
      JdkClient c = JdkClient.connect(URI.create("wss://127.0.0.1:" + m.group(2) + "/"));
      assertEquals("echo me", c.sendTextAndAwait("echo me"));
      proxy.sigterm();
      assertEquals(1001, c.awaitClose());
      c.ws.sendClose(1000, "").exceptionally(alreadyAnswered -> null).join();
      assertEquals(0, proxy.awaitExit(Duration.ofSeconds(15)), "must exit 0 after the drain");
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
    try (JarProxy proxy = JarProxy.start(dir, List.of(), "demo echo backend", "run")) {
      String banner = proxy.out();
      JdkClient c = JdkClient.connect(URI.create("wss://127.0.0.1:8443/"));
      assertEquals("hello", c.sendTextAndAwait("hello"));
      proxy.sigterm();
      assertEquals(0, proxy.awaitExit(Duration.ofSeconds(20)), banner);
      return banner;
    }
  }

  private static String fingerprint(String banner) {
    Matcher m = Pattern.compile("SHA256:[0-9A-F:]+").matcher(banner);
    assertTrue(m.find(), banner);
    return m.group();
  }

  private static boolean canConnect(int port) {
    try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
      return true;
    } catch (IOException e) {
      return false;
    }
  }
}
