package io.wssguard.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.wssguard.ban.MemoryBans;
import io.wssguard.config.ConfigParser;
import io.wssguard.config.ProxyConfig;
import io.wssguard.observe.ReloadOutcome;
import io.wssguard.policy.PolicyParser;
import io.wssguard.server.ConfigReloader;
import io.wssguard.server.ProxyServer;
import io.wssguard.testing.Await;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Policy files reloaded under live traffic through the whole-configuration reloader: a good edit
 * tightens open connections, a bad one changes nothing, and with {@code policies.watch: true} a
 * saved file reloads by itself.
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

  /**
   * A config file: one plain listener, everything to {@code node}, the policies in dir/policies.
   */
  private Path config(NodeBackend node, boolean watch) throws Exception {
    Path policies = Files.createDirectories(dir.resolve("policies"));
    Files.writeString(policies.resolve("default.yaml"), policy(1000, 1000));
    return Files.writeString(
        dir.resolve("wssguard.yaml"),
        """
        listeners:
          - name: plain
            bind: 127.0.0.1:0
        backends:
          node:
            servers: [%s]
        routes:
          - path: /
            backend: node
        policies:
          dir: %s
          watch: %b
        """
            .formatted(node.url("/"), policies, watch));
  }

  private static ProxyServer start(Path file) throws Exception {
    ProxyConfig config = ConfigParser.parse(file);
    return ProxyServer.start(config, PolicyParser.forConfig(config), new MemoryBans());
  }

  private static byte[] text(String s) {
    return RawClient.frame(0x81, s.getBytes(StandardCharsets.UTF_8));
  }

  private static long burst(ProxyServer server) {
    return server.policies().current().policies().get("default").perConnection().messages().burst();
  }

  @Test
  void brokenEditKeepsEveryConnection_goodEditTightensOpenOnes() throws Exception {
    try (NodeBackend node = NodeBackend.start()) {
      Path file = config(node, false);
      Path policyFile = dir.resolve("policies/default.yaml");
      ProxyServer server = start(file);
      try (ConfigReloader reloader = new ConfigReloader(file, server)) {
        int port = server.listener("plain").address().getPort();
        List<RawClient> clients = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
          clients.add(RawClient.connect(port, false).upgrade("/echo"));
        }
        Files.writeString(
            policyFile,
            "policies:\n  default:\n    perConnection:\n      messages: {rate: fast}\n");
        ReloadOutcome broken = reloader.reloadNow("test");
        assertFalse(broken.applied(), "a broken file is refused");
        assertTrue(
            broken.errors().stream().anyMatch(e -> e.startsWith(policyFile + ":4:")),
            broken.errors().toString());
        for (RawClient c : clients) { // not one connection dropped, the old limits still apply
          for (int i = 0; i < 5; i++) {
            c.send(text("still"));
            assertEquals("still", c.readFrame().text());
          }
        }
        Files.writeString(policyFile, policy(1, 2));
        assertTrue(reloader.reloadNow("test").applied());
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
  void reloadsWhenAFileChanges_withPoliciesWatchOn() throws Exception {
    try (NodeBackend node = NodeBackend.start()) {
      Path file = config(node, true);
      ProxyServer server = start(file);
      try (ConfigReloader reloader = new ConfigReloader(file, server)) {
        reloader.watchPolicies();
        Files.writeString(dir.resolve("policies/default.yaml"), policy(5, 5));
        Await.until(
            () -> reloader.appliedCount() > 0, Duration.ofSeconds(10), "reload after the change");
        assertEquals(1, reloader.appliedCount());
        assertEquals(5, burst(server));
      } finally {
        server.close();
      }
    }
  }
}
