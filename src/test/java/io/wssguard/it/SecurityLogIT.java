package io.wssguard.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.wssguard.testing.FreePort;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
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
  /** docs/OBSERVABILITY.md's fail2ban failregex, with fail2ban's {@code <HOST>} spelled out. */
  static final String FAILREGEX =
      "^\\{\"ts\":\"[^\"]+\",\"event\":\"(?:strike|ban)\",\"client\":\"<HOST>\"";

  @TempDir Path dir;

  @Test
  void securityEvents_andAccessLog_areJsonLinesOnStdout() throws Exception {
    int port = FreePort.next();
    int adminPort = FreePort.next();
    Files.writeString(
        dir.resolve("wssguard.yaml"),
        PlainDemoConfig.yaml(port)
            + """
        admin:
          bind: 127.0.0.1:%d
          accessLog: true
        """
                .formatted(adminPort));
    try (JarProxy proxy = JarProxy.start(dir, "wssguard.yaml")) {
      // No tokenFile in the file: generated at first start in state/ beside it, named (never
      // shown).
      Path tokenFile = dir.toRealPath().resolve("state/admin.token");
      String banner = proxy.awaitOut("admin http://127.0.0.1:" + adminPort + "/");
      assertTrue(banner.contains("token in " + tokenFile + ")"), banner);
      assertFalse(banner.contains(Files.readString(tokenFile).strip()), banner);

      try (RawClient c = RawClient.connect(port, false, "127.0.0.31")) {
        assertEquals(
            405, RawClient.status(c.request(RawClient.upgradeRequest("/").replace("GET", "PUT"))));
      }
      String rejected =
          proxy.awaitOut("\"event\":\"handshake_rejected\"", "\"client\":\"127.0.0.31\"");
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
      String ban = proxy.awaitOut("\"event\":\"ban\"");
      Matcher m =
          Pattern.compile(FAILREGEX.replace("<HOST>", "(?<host>[0-9a-fA-F:.]+)")).matcher(ban);
      assertTrue(m.find(), ban);
      assertEquals("203.0.113.7", m.group("host"));
      assertTrue(
          ban.contains(
              "\"target\":\"203.0.113.7/32\",\"forSeconds\":900,\"reason\":\"manual\",\"by\":\"admin\""),
          ban);
      assertEquals(200, admin.send("DELETE", "/bans/203.0.113.7/32", null).statusCode());
      proxy.awaitOut("\"event\":\"unban\"", "\"target\":\"203.0.113.7/32\"");

      try (RawClient c = RawClient.connect(port, false, "127.0.0.32").upgrade("/")) {
        c.send(RawClient.frame(0x81, "hi".getBytes(StandardCharsets.UTF_8)));
        assertEquals("hi", c.readFrame().text());
        c.send(RawClient.frame(0x88, RawClient.closePayload(1000, "")));
        assertEquals(1000, c.readCloseCode());
      }
      proxy.awaitOut("\"event\":\"connection_open\"", "\"client\":\"127.0.0.32\"");
      String close = proxy.awaitOut("\"event\":\"connection_close\"", "\"client\":\"127.0.0.32\"");
      assertTrue(close.contains("\"messagesIn\":1,\"bytesIn\":4,\"messagesOut\":1,"), close);
      assertTrue(close.contains("\"closeFromClient\":1000,\"closeFromBackend\":1000"), close);

      try (RawClient c = RawClient.connect(port, false, "127.0.0.33").upgrade("/")) {
        c.send(RawClient.frame(0x81, "hi".getBytes(StandardCharsets.UTF_8), false)); // unmasked
        assertEquals(1002, c.readCloseCode());
      }
      String violation =
          proxy.awaitOut("\"event\":\"protocol_violation\"", "\"client\":\"127.0.0.33\"");
      assertTrue(
          violation.endsWith(
              "\"action\":\"close\",\"enforced\":true,\"values\":{\"from\":\"client\",\"code\":1002}}"),
          violation);
    }
  }
}
