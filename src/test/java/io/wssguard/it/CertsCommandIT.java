package io.wssguard.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code wssguard certs ensure}, the packaged unit's root {@code ExecStartPre}: makes the first
 * development certificate with the key {@code root:<service group> 0640}, so the proxy can read it
 * without being able to write the directory; never replaces what is there.
 */
class CertsCommandIT {

  @TempDir Path dir;

  private JarRun wssguard(String... args) throws Exception {
    return JarRun.run(dir, args);
  }

  @Test
  void ensure_generatesTheMissingPair_keyForTheServiceGroupOnly_andNeverReplacesIt()
      throws Exception {
    assumeTrue("root".equals(System.getProperty("user.name")), "needs root to chgrp the key");
    String group =
        Files.readString(Path.of("/etc/group")).contains("\nnogroup:") ? "nogroup" : "nobody";
    Files.writeString(
        dir.resolve("wssguard.yaml"),
        """
        listeners:
          - name: public
            bind: 127.0.0.1:0
            tls:
              certificates:
                - chain: certs/server.pem
                  key: certs/server-key.pem
                  generateIfMissing: true
        backends:
          app:
            servers: [ws://127.0.0.1:9/]
        routes:
          - path: /
            backend: app
        """);
    JarRun run = wssguard("certs", "ensure", "--config", "wssguard.yaml", "--key-group", group);
    assertEquals(0, run.exit(), run.err());
    Path key = dir.resolve("certs/server-key.pem");
    assertEquals(
        "generated a self-signed development certificate "
            + dir.resolve("certs/server.pem")
            + " (key "
            + key
            + ")\n",
        run.out());
    assertEquals("rw-r-----", PosixFilePermissions.toString(Files.getPosixFilePermissions(key)));
    assertEquals(
        group,
        Files.readAttributes(key, java.nio.file.attribute.PosixFileAttributes.class)
            .group()
            .getName());
    String pem = Files.readString(key);

    JarRun again = wssguard("certs", "ensure", "--config", "wssguard.yaml", "--key-group", group);
    assertEquals(0, again.exit(), again.err());
    assertEquals("", again.out());
    assertEquals(pem, Files.readString(key), "never replaced");
  }
}
