package io.wssguard.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code X-Forwarded-For} entries are read as address literals only: a host name there is never
 * looked up. The proxy runs as its own process with a hosts file ({@code jdk.net.hosts.file}) that
 * gives {@code dead.beef.cafe} a denied address, so a lookup, had there been one, would show as a
 * 403.
 */
class AddressLiteralIT {
  private static final Path JAR = Path.of("target/wssguard.jar").toAbsolutePath();

  @TempDir Path dir;

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  private static int statusWithForwardedFor(int port, String xff) throws Exception {
    try (RawClient c = RawClient.connect(port, false, "127.0.0.1")) {
      String request =
          RawClient.upgradeRequest("/")
              .replace("\r\n\r\n", "\r\nX-Forwarded-For: " + xff + "\r\n\r\n");
      return RawClient.status(c.request(request));
    }
  }

  @Test
  void hostNameInForwardedFor_isNotAnAddress_andIsNeverLookedUp() throws Exception {
    int port = freePort();
    int demoPort = freePort();
    Files.writeString(dir.resolve("hosts"), "203.0.113.77 dead.beef.cafe\n");
    Files.createDirectory(dir.resolve("policies"));
    Files.writeString(
        dir.resolve("policies/default.yaml"),
        """
        policies:
          default:
            access:
              trustedProxies: [127.0.0.1]
              deny: [203.0.113.0/24]
        """);
    Files.writeString(
        dir.resolve("wssguard.yaml"),
        PlainDemoConfig.yaml(port, demoPort)
            + """
        policies:
          dir: policies/
        admin:
          bind: off
        """);
    Process p =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Djdk.net.hosts.file=" + dir.resolve("hosts"),
                "-jar",
                JAR.toString(),
                "run",
                "--config",
                "wssguard.yaml")
            .directory(dir.toFile())
            .redirectErrorStream(true)
            .start();
    try {
      BufferedReader out =
          new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
      String line;
      while ((line = out.readLine()) != null
          && !line.contains("listening ws://127.0.0.1:" + port)) {
        // the banner comes line by line; the listener's line says it is ready
      }
      assertTrue(line != null, "the proxy ended before it listened");
      assertEquals(403, statusWithForwardedFor(port, "203.0.113.9"), "a literal is believed");
      assertEquals(101, statusWithForwardedFor(port, "dead.beef.cafe"));
      assertEquals(101, statusWithForwardedFor(port, "203.0.113.9, dead.beef.cafe"));
    } finally {
      p.destroy();
      assertTrue(p.waitFor(30, TimeUnit.SECONDS));
    }
  }
}
