package io.wssguard.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.wssguard.testing.FreePort;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code X-Forwarded-For} entries are read as address literals only: a host name there is never
 * looked up. The proxy runs as its own process with a hosts file ({@code jdk.net.hosts.file}) that
 * gives {@code dead.beef.cafe} a denied address, so a lookup, had there been one, would show as a
 * 403.
 */
class AddressLiteralIT {
  @TempDir Path dir;

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
    int port = FreePort.next();
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
        PlainDemoConfig.yaml(port)
            + """
        policies:
          dir: policies/
        admin:
          bind: off
        """);
    try (JarProxy proxy =
        JarProxy.start(
            dir,
            List.of("-Djdk.net.hosts.file=" + dir.resolve("hosts")),
            "listening ws://127.0.0.1:" + port,
            "run",
            "--config",
            "wssguard.yaml")) {
      assertEquals(403, statusWithForwardedFor(port, "203.0.113.9"), "a literal is believed");
      assertEquals(101, statusWithForwardedFor(port, "dead.beef.cafe"));
      assertEquals(101, statusWithForwardedFor(port, "203.0.113.9, dead.beef.cafe"));
    }
  }
}
