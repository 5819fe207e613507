package io.wssguard.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.wssguard.testing.FreePort;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code wssguard reload} as the packaged jar runs it, where no proxy is there to answer or the
 * file it is given is unusable. (Applied and refused reloads: {@link ConfigReloadIT}.)
 */
class ReloadCommandIT {
  @TempDir Path dir;

  private Path config(String admin) throws Exception {
    return Files.writeString(
        dir.resolve("wssguard.yaml"), PlainDemoConfig.yaml(FreePort.next()) + admin);
  }

  @Test
  void exits3_namingTheAdminAddress_whenNoProxyListens() throws Exception {
    int port = FreePort.next();
    Files.createDirectories(dir.resolve("state"));
    Files.writeString(dir.resolve("state/admin.token"), "t0ken\n");
    Files.setPosixFilePermissions(
        dir.resolve("state/admin.token"), PosixFilePermissions.fromString("rw-------"));
    Path file = config("admin:\n  bind: 127.0.0.1:" + port + "\n");

    JarRun run = JarRun.run(dir, "reload", "--config", file.toString());

    assertEquals(3, run.exit(), run.out() + run.err());
    assertEquals(
        "reload: no proxy answers: nothing listens at http://127.0.0.1:"
            + port
            + "/ (connection refused); is wssguard running with this configuration?\n",
        run.err());
  }

  @Test
  void exits3_whenNoProxyEverRan_andSoNoTokenWasGenerated() throws Exception {
    int port = FreePort.next();
    Path file = config("admin:\n  bind: 127.0.0.1:" + port + "\n");

    JarRun run = JarRun.run(dir, "reload", "--config", file.toString());

    assertEquals(3, run.exit(), run.out() + run.err());
    assertEquals(
        "reload: no proxy answers: nothing listens at http://127.0.0.1:"
            + port
            + "/ (connection refused); is wssguard running with this configuration?\n",
        run.err());
  }

  @Test
  void exits2_withEachError_whenTheFileIsBad() throws Exception {
    Path file = config("admin:\n  bindd: 127.0.0.1:9090\n");

    JarRun run = JarRun.run(dir, "reload", "--config", file.toString());

    assertEquals(2, run.exit(), run.out() + run.err());
    assertEquals(
        file
            + ":13:3: unknown key 'bindd' in admin (expected one of: bind, tokenFile,"
            + " generateToken, hostNames, widestBan, accessLog)\n",
        run.err());
  }

  @Test
  void exits2_whenTheFileHasNoAdminListener() throws Exception {
    Path file = config("admin:\n  bind: off\n");

    JarRun run = JarRun.run(dir, "reload", "--config", file.toString());

    assertEquals(2, run.exit(), run.out() + run.err());
    assertEquals(
        file
            + ": admin.bind: off: wssguard reload talks to the admin listener; name its address,"
            + " or send the proxy SIGHUP (systemctl kill -s HUP wssguard), which reloads without"
            + " reporting\n",
        run.err());
  }
}
