package io.wssguard.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code wssguard firewall render|apply --config}, as the packaged firewall unit runs it: the
 * journal, backend and protected ports come from the proxy's own configuration, written there once.
 */
class FirewallCommandIT {
  private static final String LISTENERS_AND_ROUTES =
      """
      listeners:
        - name: public
          bind: 127.0.0.1:8443
        - name: other
          bind: 127.0.0.1:9443
      backends:
        app:
          servers: [ws://127.0.0.1:9000/]
      routes:
        - backend: app
      """;

  @TempDir Path dir;

  private JarRun wssguard(String... args) throws Exception {
    return JarRun.run(dir, args);
  }

  private void config(String bans) throws Exception {
    Files.writeString(dir.resolve("wssguard.yaml"), LISTENERS_AND_ROUTES + bans);
  }

  /** Seconds left on each ban differ between two runs a JVM start apart. */
  private static String withoutTimeouts(String rules) {
    return rules.replaceAll("timeout \\d+s", "timeout Ns");
  }

  @Test
  void renderWithConfig_buildsTheRulesTheOptionsWouldFromTheListenersPorts() throws Exception {
    config(
        """
        bans:
          journal: bans.journal
          firewall:
            backend: nftables
            apply: false
            rulesFile: firewall.rules
        """);
    JarRun add =
        wssguard(
            "ban",
            "add",
            "203.0.113.7",
            "--for",
            "15m",
            "--reason",
            "x",
            "--journal",
            dir.resolve("bans.journal").toString());
    assertEquals(0, add.exit(), add.err());

    JarRun fromConfig = wssguard("firewall", "render", "--config", "wssguard.yaml");
    assertEquals(0, fromConfig.exit(), fromConfig.err());
    assertTrue(
        fromConfig.out().contains("tcp dport { 8443, 9443 } ip saddr @ban4 drop"),
        fromConfig.out());
    assertTrue(fromConfig.out().contains("elements = { 203.0.113.7 timeout "), fromConfig.out());

    JarRun fromOptions =
        wssguard(
            "firewall",
            "render",
            "--backend",
            "nftables",
            "--port",
            "8443",
            "--port",
            "9443",
            "--journal",
            dir.resolve("bans.journal").toString());
    assertEquals(0, fromOptions.exit(), fromOptions.err());
    assertEquals(withoutTimeouts(fromOptions.out()), withoutTimeouts(fromConfig.out()));
  }

  @Test
  void config_withoutAKernelBackend_exits2_namingTheKey() throws Exception {
    config("bans:\n  journal: bans.journal\n");
    JarRun run = wssguard("firewall", "apply", "--config", "wssguard.yaml");
    assertEquals(2, run.exit(), run.err());
    assertEquals(
        "wssguard.yaml: bans.firewall.backend: none (expected: ipset, nftables or iptables to load"
            + " the bans into the kernel)\n",
        run.err());
  }

  @Test
  void config_withABadFile_exits2_withItsPositionedErrors() throws Exception {
    config("bans:\n  journal: bans.journal\n  firewall: {backend: ipfw}\n");
    JarRun run = wssguard("firewall", "apply", "--config", "wssguard.yaml");
    assertEquals(2, run.exit(), run.err());
    assertEquals(
        "wssguard.yaml:13:23: bans.firewall.backend: ipfw (expected one of: ipset, nftables,"
            + " iptables, none)\n",
        run.err());
  }

  @Test
  void config_withPortsOnTheCommandLineToo_exits2_insteadOfPickingOne() throws Exception {
    config("bans:\n  journal: bans.journal\n  firewall: {backend: ipset}\n");
    JarRun run = wssguard("firewall", "apply", "--config", "wssguard.yaml", "--port", "22");
    assertEquals(2, run.exit(), run.err());
    assertTrue(
        run.err()
            .startsWith(
                "firewall apply: --port with --config (expected: one or the other; the config names"
                    + " the journal, backend and ports)\n"),
        run.err());
  }
}
