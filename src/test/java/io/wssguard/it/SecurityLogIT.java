package io.wssguard.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The packaged jar writes one JSON line per security event, and access log lines when asked, to
 * stdout: what journald keeps and fail2ban reads. The filter regex is the one docs/OBSERVABILITY.md
 * documents.
 */
class SecurityLogIT {
  private static final Path JAR = Path.of("target/wssguard.jar").toAbsolutePath();

  /** docs/OBSERVABILITY.md's fail2ban failregex, with fail2ban's {@code <HOST>} spelled out. */
  static final String FAILREGEX =
      "^\\{\"ts\":\"[^\"]+\",\"event\":\"(?:strike|ban)\",\"client\":\"<HOST>\"";

  @TempDir Path dir;

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  /** The next stdout line containing every fragment, within 10 seconds. */
  private static String await(BlockingQueue<String> lines, String... fragments)
      throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (System.nanoTime() < deadline) {
      String line = lines.poll(100, TimeUnit.MILLISECONDS);
      if (line != null && List.of(fragments).stream().allMatch(line::contains)) {
        return line;
      }
    }
    return null;
  }

  @Test
  void securityEvents_andAccessLog_areJsonLinesOnStdout() throws Exception {
    int port = freePort();
    int demoPort = freePort();
    int adminPort = freePort();
    Files.writeString(
        dir.resolve("wssguard.yaml"),
        PlainDemoConfig.yaml(port, demoPort)
            + """
        admin:
          bind: 127.0.0.1:%d
          accessLog: true
        """
                .formatted(adminPort));
    Process p =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar",
                JAR.toString(),
                "run",
                "--config",
                "wssguard.yaml")
            .directory(dir.toFile())
            .redirectError(ProcessBuilder.Redirect.DISCARD)
            .start();
    BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    Thread reader =
        new Thread(
            () -> {
              try (BufferedReader r =
                  new BufferedReader(
                      new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                  lines.add(line);
                }
              } catch (IOException e) {
                // the process ended
              }
            });
    reader.start();
    try {
      // No tokenFile in the file: generated at first start in state/ beside it, named (never
      // shown).
      Path tokenFile = dir.toRealPath().resolve("state/admin.token");
      String banner = await(lines, "admin http://127.0.0.1:" + adminPort + "/");
      assertNotNull(banner, "banner names the admin listener");
      assertTrue(banner.contains("token in " + tokenFile + ")"), banner);
      assertFalse(banner.contains(Files.readString(tokenFile).strip()), banner);

      try (RawClient c = RawClient.connect(port, false, "127.0.0.31")) {
        assertEquals(
            405, RawClient.status(c.request(RawClient.upgradeRequest("/").replace("GET", "PUT"))));
      }
      String rejected =
          await(lines, "\"event\":\"handshake_rejected\"", "\"client\":\"127.0.0.31\"");
      assertNotNull(rejected);
      assertTrue(
          rejected.matches("\\{\"ts\":\"[0-9T:.Z-]+\",\"event\":\"handshake_rejected\",.*\\}"),
          rejected);
      assertTrue(rejected.contains("\"reason\":\"method\",\"status\":405"), rejected);

      AdminClient admin = AdminClient.withTokenFrom("http://127.0.0.1:" + adminPort, tokenFile);
      assertEquals(
          201,
          admin
              .send(
                  "POST",
                  "/bans",
                  "{\"target\":\"203.0.113.7/32\",\"for\":\"15m\",\"reason\":\"manual\"}")
              .statusCode());
      String ban = await(lines, "\"event\":\"ban\"");
      assertNotNull(ban);
      Matcher m =
          Pattern.compile(FAILREGEX.replace("<HOST>", "(?<host>[0-9a-fA-F:.]+)")).matcher(ban);
      assertTrue(m.find(), ban);
      assertEquals("203.0.113.7", m.group("host"));
      assertTrue(
          ban.contains(
              "\"target\":\"203.0.113.7/32\",\"forSeconds\":900,\"reason\":\"manual\",\"by\":\"admin\""),
          ban);
      assertEquals(200, admin.send("DELETE", "/bans/203.0.113.7/32", null).statusCode());
      assertNotNull(await(lines, "\"event\":\"unban\"", "\"target\":\"203.0.113.7/32\""));

      try (RawClient c = RawClient.connect(port, false, "127.0.0.32").upgrade("/")) {
        c.send(RawClient.frame(0x81, "hi".getBytes(StandardCharsets.UTF_8)));
        assertEquals("hi", c.readFrame().text());
        c.send(RawClient.frame(0x88, RawClient.closePayload(1000, "")));
        assertEquals(1000, c.readCloseCode());
      }
      assertNotNull(await(lines, "\"event\":\"connection_open\"", "\"client\":\"127.0.0.32\""));
      String close = await(lines, "\"event\":\"connection_close\"", "\"client\":\"127.0.0.32\"");
      assertNotNull(close);
      assertTrue(close.contains("\"messagesIn\":1,\"bytesIn\":4,\"messagesOut\":1,"), close);
      assertTrue(close.contains("\"closeFromClient\":1000,\"closeFromBackend\":1000"), close);
    } finally {
      p.destroy();
      assertTrue(p.waitFor(30, TimeUnit.SECONDS));
      reader.join(5000);
    }
  }
}
