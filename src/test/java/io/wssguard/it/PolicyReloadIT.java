package io.wssguard.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.wssguard.ban.MemoryBans;
import io.wssguard.config.BackendGroupConfig;
import io.wssguard.config.BackendTlsConfig;
import io.wssguard.config.Balance;
import io.wssguard.config.ListenerConfig;
import io.wssguard.config.ProxyConfig;
import io.wssguard.config.RouteConfig;
import io.wssguard.config.TimeoutsConfig;
import io.wssguard.server.PolicyReloader;
import io.wssguard.server.ProxyServer;
import io.wssguard.testing.Await;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Policy files reloaded under live traffic: a good edit tightens open connections, a bad one
 * changes nothing.
 */
class PolicyReloadIT {
  @TempDir Path dir;

  private static String policy(int perSecond, int burst) {
    return """
        policies:
          default:
            perConnection:
              messages: {rate: %d/s, burst: %d, action: close}
        """
        .formatted(perSecond, burst);
  }

  private ProxyServer start(NodeBackend node) throws Exception {
    ProxyConfig config =
        new ProxyConfig(
            List.of(
                new ListenerConfig(
                    "plain", new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), null)),
            Map.of(
                "node",
                new BackendGroupConfig(
                    "node",
                    List.of(URI.create(node.url("/"))),
                    Balance.ROUND_ROBIN,
                    Duration.ofSeconds(2),
                    Duration.ofSeconds(10),
                    2000,
                    BackendTlsConfig.DEFAULT)),
            List.of(new RouteConfig(null, "/", "node", false, 1 << 20, "default")),
            new TimeoutsConfig(
                Duration.ofSeconds(10),
                8192,
                Duration.ofSeconds(300),
                Duration.ofSeconds(30),
                Duration.ofSeconds(1)),
            null,
            dir,
            null,
            null,
            null);
    return ProxyServer.start(config, PolicyReloader.load(config), new MemoryBans());
  }

  private static PolicyReloader reloader(ProxyServer server, Path dir) {
    ProxyConfig routes =
        new ProxyConfig(
            List.of(),
            Map.of(),
            List.of(new RouteConfig(null, "/", "node", false, 1 << 20, "default")),
            null,
            null,
            dir,
            null,
            null,
            null);
    return new PolicyReloader(dir, routes, server.policies());
  }

  private static byte[] text(String s) {
    return RawClient.frame(0x81, s.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void brokenEditKeepsEveryConnection_goodEditTightensOpenOnes() throws Exception {
    Path file = dir.resolve("default.yaml");
    Files.writeString(file, policy(1000, 1000));
    try (NodeBackend node = NodeBackend.start()) {
      ProxyServer server = start(node);
      try (PolicyReloader reloader = reloader(server, dir)) {
        int port = server.listener("plain").address().getPort();
        List<RawClient> clients = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
          clients.add(RawClient.connect(port, false).upgrade("/echo"));
        }
        Files.writeString(
            file, "policies:\n  default:\n    perConnection:\n      messages: {rate: fast}\n");
        assertFalse(reloader.reload("test"), "a broken file is refused");
        assertTrue(reloader.lastError().contains("default.yaml:4:"), reloader.lastError());
        for (RawClient c : clients) { // not one connection dropped, the old limits still apply
          for (int i = 0; i < 5; i++) {
            c.send(text("still"));
            assertEquals("still", c.readFrame().text());
          }
        }
        Files.writeString(file, policy(1, 2));
        assertTrue(reloader.reload("test"));
        RawClient c = clients.get(0);
        for (int i = 0; i < 3; i++) { // the new burst is 2
          c.send(text("now limited"));
        }
        assertEquals(1008, c.readCloseCode());
        for (RawClient other : clients) {
          other.close();
        }
      } finally {
        server.close();
      }
    }
  }

  @Test
  void reloadsWhenAFileChanges() throws Exception {
    Path file = dir.resolve("default.yaml");
    Files.writeString(file, policy(1000, 1000));
    try (NodeBackend node = NodeBackend.start()) {
      ProxyServer server = start(node);
      try (PolicyReloader reloader = reloader(server, dir)) {
        reloader.watch();
        Files.writeString(file, policy(5, 5));
        Await.until(
            () -> reloader.appliedCount() > 0, Duration.ofSeconds(10), "reload after the change");
        assertEquals(1, reloader.appliedCount());
        assertEquals(
            5,
            server
                .policies()
                .current()
                .policies()
                .get("default")
                .perConnection()
                .messages()
                .burst());
      } finally {
        server.close();
      }
    }
  }
}
