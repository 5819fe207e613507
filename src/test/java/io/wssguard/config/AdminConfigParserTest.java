package io.wssguard.config;

import static io.wssguard.config.MinimalConfig.MINIMAL;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.List;
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
  void absentBlock_listensOnLoopback9090_withTheTokenInStateBesideTheFile() throws Exception {
    AdminConfig admin = parse(MINIMAL).admin();
    assertEquals(new InetSocketAddress(InetAddress.getLoopbackAddress(), 9090), admin.bind());
    assertEquals(dir.toAbsolutePath().normalize().resolve("state/admin.token"), admin.tokenFile());
    assertEquals(AdminConfig.WidestBan.DEFAULT, admin.widestBan());
    assertEquals(List.of(), admin.hostNames());
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
  }

  @Test
  void blockWithoutTokenFile_keepsTheDefaultTokenFile() throws Exception {
    AdminConfig admin = parse(MINIMAL + "admin:\n  accessLog: true\n").admin();
    assertEquals(dir.toAbsolutePath().normalize().resolve("state/admin.token"), admin.tokenFile());
  }

  @Test
  void generateToken_defaultsToTrueForTheDefaultFile_andFalseForANamedOne() throws Exception {
    assertTrue(parse(MINIMAL).admin().generateToken());
    assertTrue(parse(MINIMAL + "admin:\n  accessLog: true\n").admin().generateToken());
    assertFalse(parse(MINIMAL + "admin:\n  tokenFile: admin.token\n").admin().generateToken());
    assertTrue(
        parse(MINIMAL + "admin:\n  tokenFile: admin.token\n  generateToken: true\n")
            .admin()
            .generateToken());
    assertFalse(parse(MINIMAL + "admin:\n  generateToken: false\n").admin().generateToken());
    assertEquals(
        "test.yaml:10:18: admin.generateToken: yes (expected: true or false)",
        errors(MINIMAL + "admin:\n  generateToken: yes\n"));
  }

  @Test
  void hostNamesAndWidestBan_areRead() throws Exception {
    AdminConfig admin =
        parse(
                MINIMAL
                    + "admin:\n  hostNames: [Admin.Example.com, wssguard-1]\n"
                    + "  widestBan: {ipv4: 24, ipv6: 48}\n")
            .admin();
    assertEquals(List.of("admin.example.com", "wssguard-1"), admin.hostNames());
    assertEquals(new AdminConfig.WidestBan(24, 48), admin.widestBan());
    assertEquals(
        new AdminConfig.WidestBan(8, 32),
        parse(MINIMAL + "admin:\n  widestBan: {ipv4: 8}\n").admin().widestBan());
  }

  @Test
  void rejectsBadHostNames_andWidestBanOutOfRange_withPositions() {
    assertEquals(
        "test.yaml:10:26: admin.hostNames[1]: A.example (already listed as admin.hostNames[0])\n"
            + "test.yaml:10:37: admin.hostNames[2]: x:9090 (expected: host name like example.com,"
            + " without port)\n"
            + "test.yaml:11:21: admin.widestBan.ipv4: 0 (expected: integer 1..32)\n"
            + "test.yaml:11:30: admin.widestBan.ipv6: 129 (expected: integer 1..128)\n"
            + "test.yaml:11:35: unknown key 'v4' in admin.widestBan (expected one of: ipv4, ipv6)",
        errors(
            MINIMAL
                + "admin:\n  hostNames: [a.example, A.example, 'x:9090']\n"
                + "  widestBan: {ipv4: 0, ipv6: 129, v4: 1}\n"));
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
        "test.yaml:10:3: unknown key 'token' in admin (expected one of: bind, tokenFile,"
            + " generateToken, hostNames, widestBan, accessLog)",
        errors(MINIMAL + "admin:\n  token: abc\n"));
    assertEquals(
        "test.yaml:10:9: admin.bind: 127.0.0.1:8443 (already used by listeners[0])",
        errors(MINIMAL + "admin:\n  bind: 127.0.0.1:8443\n"));
  }
}
