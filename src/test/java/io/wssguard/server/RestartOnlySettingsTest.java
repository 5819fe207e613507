package io.wssguard.server;

import static io.wssguard.config.MinimalConfig.MINIMAL;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.wssguard.config.ConfigParser;
import io.wssguard.config.ProxyConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RestartOnlySettingsTest {
  @TempDir Path dir;

  private ProxyConfig parse(String yaml) throws Exception {
    return ConfigParser.parse(Files.writeString(dir.resolve("wssguard.yaml"), yaml));
  }

  @Test
  void changesThatAReloadCanApply_areNoneOfItsBusiness() throws Exception {
    ProxyConfig running = parse(MINIMAL);
    ProxyConfig next =
        parse(
            MINIMAL.replace("127.0.0.1:8443", "127.0.0.1:8444")
                + "timeouts:\n  idle: 60s\n  drain: 1s\nbans:\n  max: 500\n");
    assertEquals(List.of(), RestartOnlySettings.changes(running, next));
  }

  @Test
  void eachRestartOnlySetting_isNamedWithBothValues() throws Exception {
    ProxyConfig running = parse(MINIMAL);
    ProxyConfig next =
        parse(
            MINIMAL
                + "bans:\n  journal: "
                + dir.resolve("bans.journal")
                + "\nlimits:\n  maxConnections: 100\n"
                + "timeouts:\n  handshake: 3s\n  maxHeaderBytes: 4096\n"
                + "record: {dir: traffic/, maxBytes: 2GiB, sample: 0.5}\n");
    List<String> changes = RestartOnlySettings.changes(running, next);
    String why = ": needs a restart (a reload cannot apply it; the running value stays)";
    assertEquals(
        List.of(
            "bans.journal: off -> " + dir.resolve("bans.journal") + why,
            "limits.maxConnections: " + running.limits().maxConnections() + " -> 100" + why,
            "timeouts.handshake: 10s -> 3s" + why,
            "timeouts.maxHeaderBytes: " + running.timeouts().maxHeaderBytes() + " -> 4096" + why,
            "record: off -> {dir: "
                + dir.resolve("traffic")
                + ", maxBytes: 2 GiB, sample: 0.5}"
                + why),
        changes);
  }
}
