package io.wssguard.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.wssguard.config.ConfigException;
import io.wssguard.config.ConfigParser;
import io.wssguard.config.ProxyConfig;
import io.wssguard.net.Cidr;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Valid policy files: what they parse to, several files together, directories, and route
 * references.
 */
class PolicyParserTest {
  private static final Path SHIPPED = Path.of("policies/default.yaml");

  @TempDir Path dir;

  private static Policy expectedDefault(String file, int line) {
    return new Policy(
        "default",
        Mode.ENFORCE,
        new HandshakeRules(List.of(), List.of(), List.of(), List.of(), 8192),
        new PerIpLimits(
            new RateLimit(20, 40, Action.REJECT, true),
            new CountLimit(64, Action.REJECT, true),
            null,
            null),
        new PerConnectionLimits(
            new RateLimit(100, 200, Action.CLOSE, true),
            null,
            new CountLimit(1024 * 1024, Action.CLOSE, true),
            null,
            null,
            null),
        AccessRules.NONE,
        new StrikeRules(5, Duration.ofMinutes(10), Duration.ofMinutes(15)),
        file,
        line);
  }

  private static int lineOf(String text, String needle) {
    String before = text.substring(0, text.indexOf(needle));
    return (int) before.chars().filter(c -> c == '\n').count() + 1;
  }

  private static String sha256(byte[] bytes) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
  }

  /** Parses policy text under the name {@code p.yaml}. */
  static PolicySet parse(String yaml) throws ConfigException {
    return PolicyParser.parse(yaml.getBytes(StandardCharsets.UTF_8), "p.yaml");
  }

  private Path write(String name, String text) throws Exception {
    Path file = dir.resolve(name);
    Files.writeString(file, text);
    return file;
  }

  @Test
  void embeddedDefault_parsesToTheDocumentedRecords() throws Exception {
    byte[] shipped = Files.readAllBytes(SHIPPED);
    int line = lineOf(new String(shipped, StandardCharsets.UTF_8), "\n  default:") + 1;

    PolicySet set = PolicyParser.embeddedDefault();

    assertEquals(
        Map.of("default", expectedDefault("<embedded default policy>", line)), set.policies());
    assertEquals(
        List.of(new PolicySet.SourceFile(Path.of("<embedded default policy>"), sha256(shipped))),
        set.files());
  }

  @Test
  void shippedFile_parsesToTheSameRecords_withItsHash() throws Exception {
    byte[] shipped = Files.readAllBytes(SHIPPED);
    int line = lineOf(new String(shipped, StandardCharsets.UTF_8), "\n  default:") + 1;

    PolicySet set = PolicyParser.parseFiles(List.of(SHIPPED));

    assertEquals(Map.of("default", expectedDefault(SHIPPED.toString(), line)), set.policies());
    assertEquals(List.of(new PolicySet.SourceFile(SHIPPED, sha256(shipped))), set.files());
  }

  @Test
  void everyKey_parsesToItsRecordComponent() throws Exception {
    Path file =
        write(
            "full.yaml",
            """
        policies:
          chat:
            mode: monitor
            handshake:
              maxHeaderBytes: 16KiB
              origins: ["https://App.Example.com", "https://*.example.com:8443"]
              subprotocols: [chat.v2, chat.v1]
              requiredHeaders: [Authorization]
              paths: ["/chat/*", "/api/**"]
            perIp:
              handshakes:  {rate: 600/m, burst: 40, action: reject, strike: true}
              connections: {max: 64, action: reject}
              messages:    {rate: 1000/s, burst: 2000, action: close, strike: true}
              bytes:       {rate: 8MiB/s, burst: 16MiB, action: throttle, strike: false}
              ipv6Blocks:  {48: {factor: 8}, 40: {factor: 64}}
            perConnection:
              messages:        {rate: 100/s, burst: 200, action: close, strike: true}
              bytes:           {rate: 1MiB/s, burst: 2MiB, action: throttle}
              maxMessageBytes: {max: 1MiB, action: close, strike: true}
              maxFrameBytes:   {max: 64KiB, action: drop}
              maxFragments:    {max: 1024, action: close, strike: true}
              controlFrames:   {rate: 10/s, burst: 20, action: drop}
            access:
              allow: [10.0.0.0/8, "2001:db8::/32"]
              deny: [10.66.0.0/16, 192.0.2.7]
              trustedProxies: ["::1"]
              ipv6Prefix: 56
            strikes: {max: 3, window: 1m, ban: 1h, protocolViolations: true}
        """);

    Policy p = PolicyParser.parseFiles(List.of(file)).policies().get("chat");

    assertEquals(
        new Policy(
            "chat",
            Mode.MONITOR,
            new HandshakeRules(
                List.of("https://app.example.com", "https://*.example.com:8443"),
                List.of("chat.v2", "chat.v1"),
                List.of("Authorization"),
                List.of("/chat/*", "/api/**"),
                16384),
            new PerIpLimits(
                new RateLimit(10, 40, Action.REJECT, true),
                new CountLimit(64, Action.REJECT, false),
                new RateLimit(1000, 2000, Action.CLOSE, true),
                new RateLimit(8 << 20, 16 << 20, Action.THROTTLE, false),
                List.of(new PerIpLimits.Ipv6Block(48, 8), new PerIpLimits.Ipv6Block(40, 64)),
                List.of()),
            new PerConnectionLimits(
                new RateLimit(100, 200, Action.CLOSE, true),
                new RateLimit(1 << 20, 2 << 20, Action.THROTTLE, false),
                new CountLimit(1 << 20, Action.CLOSE, true),
                new CountLimit(64 << 10, Action.DROP, false),
                new CountLimit(1024, Action.CLOSE, true),
                new RateLimit(10, 20, Action.DROP, false)),
            new AccessRules(
                List.of(Cidr.parse("10.0.0.0/8"), Cidr.parse("2001:db8::/32")),
                List.of(
                    Cidr.parse("10.66.0.0/16"), new Cidr(InetAddress.getByName("192.0.2.7"), 32)),
                List.of(new Cidr(Cidr.address("::1"), 128)),
                56),
            new StrikeRules(3, Duration.ofMinutes(1), Duration.ofHours(1), true),
            file.toString(),
            2),
        p);
  }

  @Test
  void absentBlocks_areNone_andStrikesNull() throws Exception {
    Policy p =
        PolicyParser.parseFiles(List.of(write("open.yaml", "policies:\n  open: {}\n")))
            .policies()
            .get("open");

    assertEquals(
        new Policy(
            "open",
            Mode.ENFORCE,
            HandshakeRules.NONE,
            PerIpLimits.NONE,
            PerConnectionLimits.NONE,
            AccessRules.NONE,
            null,
            dir.resolve("open.yaml").toString(),
            2),
        p);
  }

  @Test
  void perMinuteRate_isPerSecondInTheRecord() throws Exception {
    Policy p =
        PolicyParser.parseFiles(
                List.of(
                    write(
                        "m.yaml",
                        """
        policies:
          slow:
            perIp:
              handshakes: {rate: 30/m, burst: 1, action: reject}
        """)))
            .policies()
            .get("slow");

    assertEquals(new RateLimit(0.5, 1, Action.REJECT, false), p.perIp().handshakes());
  }

  @Test
  void severalFiles_makeOneSet_withEachFilesHash() throws Exception {
    Path a = write("a.yaml", "policies:\n  chat: {}\n  feed: {}\n");
    Path b = write("b.yml", "policies:\n  admin: {mode: monitor}\n");

    PolicySet set = PolicyParser.parseFiles(List.of(a, b));

    assertEquals(
        List.of("admin", "chat", "feed"), set.policies().keySet().stream().sorted().toList());
    assertEquals(List.of(a, b), set.files().stream().map(PolicySet.SourceFile::path).toList());
    assertEquals(sha256(Files.readAllBytes(b)), set.files().get(1).sha256());
    assertEquals(b.toString(), set.policies().get("admin").file());
  }

  @Test
  void loadDirectory_readsYamlAndYmlInNameOrder_andSkipsOthers() throws Exception {
    write("b.yml", "policies:\n  chat: {}\n");
    write("a.yaml", "policies:\n  default: {}\n");
    write("notes.txt", "not a policy");
    write(".#a.yaml", "an editor's lock file");
    Files.createDirectory(dir.resolve("old.yaml"));

    PolicySet set = PolicyParser.loadDirectory(dir);

    assertEquals(
        List.of(dir.resolve("a.yaml"), dir.resolve("b.yml")),
        set.files().stream().map(PolicySet.SourceFile::path).toList());
    assertEquals(2, set.policies().size());
  }

  @Test
  void loadDirectory_missingOrEmpty_isAnErrorWithoutPosition() throws Exception {
    Path missing = dir.resolve("nope");
    assertEquals(
        missing + ": cannot read: no such directory",
        assertThrows(ConfigException.class, () -> PolicyParser.loadDirectory(missing))
            .getMessage());
    Path file = write("file.yaml", "policies:\n  a: {}\n");
    assertEquals(
        file + ": cannot read: not a directory",
        assertThrows(ConfigException.class, () -> PolicyParser.loadDirectory(file)).getMessage());
    Path empty = Files.createDirectory(dir.resolve("empty"));
    assertEquals(
        empty + ": no policy files (expected: *.yaml or *.yml files in the directory)",
        assertThrows(ConfigException.class, () -> PolicyParser.loadDirectory(empty)).getMessage());
  }

  @Test
  void missingPolicies_namesEachRouteWithAnUnknownPolicy() throws Exception {
    ProxyConfig config =
        ConfigParser.parse(
            """
        listeners:
          - name: public
            bind: 127.0.0.1:0
        backends:
          demo:
            servers: [ws://127.0.0.1:9000/]
        routes:
          - path: /chat
            backend: demo
            policy: chat
          - backend: demo
        """,
            "test.yaml",
            dir);

    assertEquals(
        List.of("routes[0].policy: unknown policy 'chat' (expected one of: default)"),
        PolicyParser.missingPolicies(config, PolicyParser.embeddedDefault()));
    assertTrue(
        PolicyParser.missingPolicies(
                ConfigParser.embeddedDefaults(), PolicyParser.embeddedDefault())
            .isEmpty());
  }

  @Test
  void absentLimit_isNull() throws Exception {
    Policy p =
        PolicyParser.parseFiles(List.of(write("x.yaml", "policies:\n  x:\n    perIp: {}\n")))
            .policies()
            .get("x");

    assertNull(p.perIp().handshakes());
    assertEquals(PerIpLimits.NONE, p.perIp());
  }
}
