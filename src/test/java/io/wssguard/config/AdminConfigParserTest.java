package io.wssguard.config;

import static io.wssguard.config.MinimalConfig.MINIMAL;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The admin block: its default, off, the token a non-loopback bind needs, and its errors with
 * positions.
 */
class AdminConfigParserTest {
  @TempDir Path dir;

  private ProxyConfig parse(String yaml) throws ConfigException {
    return ConfigParser.parse(yaml, "test.yaml", dir);
  }

  private String errors(String yaml) {
    return assertThrows(ConfigException.class, () -> parse(yaml)).getMessage();
  }

  @Test
  void absentBlock_listensOnLoopback9090_withoutToken() throws Exception {
    AdminConfig admin = parse(MINIMAL).admin();
    assertEquals(new InetSocketAddress("127.0.0.1", 9090), admin.bind());
    assertNull(admin.tokenFile());
    assertFalse(admin.accessLog());
    assertFalse(admin.explicit());
  }

  @Test
  void off_disablesTheListener_butKeepsTheAccessLog() throws Exception {
    AdminConfig admin = parse(MINIMAL + "admin:\n  bind: off\n  accessLog: true\n").admin();
    assertFalse(admin.enabled());
    assertTrue(admin.accessLog());
  }

  @Test
  void nonLoopbackBind_withTokenFile_isAccepted() throws Exception {
    AdminConfig admin =
        parse(MINIMAL + "admin:\n  bind: 0.0.0.0:9090\n  tokenFile: admin.token\n").admin();
    assertEquals(dir.toAbsolutePath().normalize().resolve("admin.token"), admin.tokenFile());
    assertTrue(admin.requiresToken());
  }

  @Test
  void rejectsNonLoopbackBind_withoutTokenFile() {
    assertEquals(
        "test.yaml:10:9: admin.bind: 0.0.0.0:9090 (expected: a loopback address like 127.0.0.1:9090, or"
            + " tokenFile set as well: the admin API is reachable from off this host)",
        errors(MINIMAL + "admin:\n  bind: 0.0.0.0:9090\n"));
  }

  @Test
  void rejectsUnknownKey_andABindAListenerHolds() {
    assertEquals(
        "test.yaml:10:3: unknown key 'token' in admin (expected one of: bind, tokenFile, accessLog)",
        errors(MINIMAL + "admin:\n  token: abc\n"));
    assertEquals(
        "test.yaml:10:9: admin.bind: 127.0.0.1:8443 (already used by listeners[0])",
        errors(MINIMAL + "admin:\n  bind: 127.0.0.1:8443\n"));
  }
}
