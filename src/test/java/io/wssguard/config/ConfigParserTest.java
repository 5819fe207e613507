package io.wssguard.config;

import static io.wssguard.config.MinimalConfig.MINIMAL;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.wssguard.net.Cidr;
import io.wssguard.quantity.Quantities;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Valid configurations: what they parse to, defaults, and how paths resolve. */
class ConfigParserTest {
  @TempDir Path dir;

  @Test
  void embeddedDefaults_parseToTheDocumentedRecords() {
    Path cwd = Path.of("").toAbsolutePath();
    ProxyConfig expected =
        new ProxyConfig(
            List.of(
                new ListenerConfig(
                    "public",
                    new InetSocketAddress(InetAddress.getLoopbackAddress(), 8443),
                    new TlsConfig(
                        TlsEngine.BORINGSSL,
                        false,
                        List.of(
                            new CertificateConfig(
                                cwd.resolve("certs/dev-cert.pem"),
                                cwd.resolve("certs/dev-key.pem"),
                                List.of(),
                                true)),
                        List.of("TLSv1.3", "TLSv1.2")))),
            Map.of(
                "demo",
                new BackendGroupConfig(
                    "demo",
                    List.of(URI.create("ws://127.0.0.1:9000/")),
                    Balance.ROUND_ROBIN,
                    Duration.ofSeconds(5),
                    Duration.ofSeconds(10),
                    2000,
                    BackendTlsConfig.DEFAULT,
                    BackendGroupConfig.DEFAULT_RESOLVE_EVERY)),
            List.of(new RouteConfig(null, "/", "demo", false, 1024 * 1024, "default")),
            new TimeoutsConfig(
                Duration.ofSeconds(10),
                8192,
                Duration.ofSeconds(300),
                Duration.ofSeconds(30),
                Duration.ofSeconds(10)),
            new DemoBackendConfig(new InetSocketAddress(InetAddress.getLoopbackAddress(), 9000)),
            null,
            null,
            null,
            AdminConfig.defaults(Path.of("")),
            LimitsConfig.DEFAULT,
            false,
            null,
            null);

    assertEquals(expected, ConfigParser.embeddedDefaults());
  }

  @Test
  void example_parsesWithEveryKeySet() throws Exception {
    Path example = Path.of("examples/wssguard.yaml");
    Path examplesDir = example.toAbsolutePath().getParent();

    ProxyConfig config = ConfigParser.parse(example);

    assertEquals(example.toAbsolutePath(), config.source());
    assertEquals(
        new AdminConfig(
            new InetSocketAddress(InetAddress.getLoopbackAddress(), 9091),
            examplesDir.resolve("admin.token"),
            true,
            List.of("admin.example.net"),
            new AdminConfig.WidestBan(16, 32),
            true,
            true),
        config.admin());
    assertEquals(
        List.of("public", "internal", "behind-lb"),
        config.listeners().stream().map(ListenerConfig::name).toList());
    assertEquals(List.of(), config.listeners().get(0).proxyProtocolFrom());
    assertEquals(
        List.of(Cidr.parse("10.20.0.0/16")), config.listeners().get(2).proxyProtocolFrom());
    TlsConfig tls = config.listeners().get(0).tls();
    assertEquals(TlsEngine.BORINGSSL, tls.engine());
    assertEquals(true, tls.fallbackToJdk());
    assertEquals(true, tls.sessionTickets());
    assertEquals(Duration.ofHours(2), tls.ticketKeyRotation());
    assertEquals(
        new CertificateConfig(
            examplesDir.resolveSibling("certs/chat-example-com.pem"),
            examplesDir.resolveSibling("certs/chat-example-com-key.pem"),
            List.of("chat.example.com", "*.chat.example.com"),
            false),
        tls.certificates().get(1));
    assertEquals(
        new InetSocketAddress(Cidr.address("::1"), 8080), config.listeners().get(1).bind());
    assertNull(config.listeners().get(1).tls());
    assertEquals(
        new BackendGroupConfig(
            "chat",
            List.of(URI.create("ws://10.0.0.11:9000/"), URI.create("ws://10.0.0.12:9000/")),
            Balance.LEAST_CONNECTIONS,
            Duration.ofSeconds(2),
            Duration.ofSeconds(30),
            500,
            BackendTlsConfig.DEFAULT,
            Duration.ofMinutes(1)),
        config.backends().get("chat"));
    assertEquals(new LimitsConfig(9000), config.limits());
    assertEquals(
        List.of(URI.create("wss://feed.internal.example.com:443/")),
        config.backends().get("feed").servers());
    assertEquals(examplesDir.resolveSibling("policies"), config.policiesDir());
    assertEquals(
        new BackendTlsConfig(examplesDir.resolveSibling("certs/backend-ca.pem"), false),
        config.backends().get("feed").tls());
    assertEquals(
        new RouteConfig("chat.example.com", "/chat", "chat", false, 64 * 1024, "default"),
        config.routes().get(0));
    assertEquals(
        new TimeoutsConfig(
            Duration.ofSeconds(10),
            8192,
            Duration.ofMinutes(5),
            Duration.ofSeconds(30),
            Duration.ofSeconds(10)),
        config.timeouts());
    assertEquals(
        new BansConfig(
            Path.of("/var/lib/wssguard/bans.journal"),
            new BansConfig.Firewall(
                BansConfig.Backend.IPSET,
                false,
                Path.of("/var/lib/wssguard/firewall.rules"),
                List.of(8443)),
            BansConfig.DEFAULT_MAX),
        config.bans());
  }

  @ParameterizedTest
  @CsvSource({"1048576, 1048576", "512 B, 512", "2 KiB, 2048", "3MiB, 3145728", "1GiB, 1073741824"})
  void sizes_takeEveryBinaryUnit_andAPlainIntegerIsBytes(String text, long bytes) throws Exception {
    assertEquals(
        bytes,
        ConfigParser.parse(MINIMAL + "    maxMessageBytes: " + text + "\n", "test.yaml", dir)
            .routes()
            .get(0)
            .maxMessageBytes());
  }

  @Test
  void minimalConfig_getsEveryDefault() throws Exception {
    ProxyConfig config = ConfigParser.parse(MINIMAL, "test.yaml", dir);

    assertEquals(
        List.of(
            new ListenerConfig(
                "public", new InetSocketAddress(InetAddress.getLoopbackAddress(), 8443), null)),
        config.listeners());
    assertEquals(
        new BackendGroupConfig(
            "demo",
            List.of(URI.create("ws://127.0.0.1:9000/")),
            Balance.ROUND_ROBIN,
            Duration.ofSeconds(5),
            Duration.ofSeconds(10),
            2000,
            BackendTlsConfig.DEFAULT,
            BackendGroupConfig.DEFAULT_RESOLVE_EVERY),
        config.backends().get("demo"));
    assertEquals(
        List.of(new RouteConfig(null, "/", "demo", false, 1024 * 1024, "default")),
        config.routes());
    assertEquals(ConfigParser.DEFAULT_TIMEOUTS, config.timeouts());
    assertEquals(LimitsConfig.DEFAULT, config.limits());
    assertEquals(Duration.ofSeconds(30), config.backends().get("demo").resolveEvery());
    assertNull(config.demoBackend());
    assertNull(config.source());
  }

  @Test
  void relativePaths_resolveAgainstTheFilesDirectory() throws Exception {
    Path file = dir.resolve("etc/wssguard.yaml");
    Files.createDirectories(file.getParent());
    Files.writeString(
        file,
        """
        listeners:
          - name: public
            bind: 127.0.0.1:0
            tls:
              certificates:
                - chain: certs/chain.pem
                  key: ../keys/./key.pem
                - chain: /abs/chain.pem
                  key: /abs/key.pem
                  serverNames: [a.example]
        backends:
          secure:
            servers: [wss://backend.example:9443/ws]
            tls:
              ca: ca.pem
        routes:
          - backend: secure
        """);

    ProxyConfig config = ConfigParser.parse(file);

    List<CertificateConfig> certificates = config.listeners().get(0).tls().certificates();
    assertEquals(dir.resolve("etc/certs/chain.pem"), certificates.get(0).chain());
    assertEquals(dir.resolve("keys/key.pem"), certificates.get(0).privateKey());
    assertEquals(Path.of("/abs/chain.pem"), certificates.get(1).chain());
    assertEquals(dir.resolve("etc/ca.pem"), config.backends().get("secure").tls().caFile());
    assertEquals(file.toAbsolutePath(), config.source());
  }

  @Test
  void relativePaths_resolveAgainstTheGivenBaseDir_whenParsingText() throws Exception {
    ProxyConfig config =
        ConfigParser.parse(
            """
        listeners:
          - name: public
            bind: 127.0.0.1:0
            tls:
              certificates:
                - {chain: c.pem, key: k.pem}
        backends:
          demo: {servers: [ws://127.0.0.1:9000/]}
        routes: [{backend: demo}]
        """,
            "test.yaml",
            dir);

    assertEquals(
        dir.resolve("c.pem"), config.listeners().get(0).tls().certificates().get(0).chain());
  }

  @Test
  void values_inEveryAcceptedNotation() throws Exception {
    ProxyConfig config =
        ConfigParser.parse(
            """
        listeners:
          - {name: a, bind: "[::1]:0"}
          - {name: b, bind: "localhost:0"}
          - {name: c, bind: "0.0.0.0:0"}
        backends:
          demo:
            servers: [WS://Backend.Example, "wss://[::1]/x/y", ws://10.0.0.1:81]
            connectTimeout: 250ms
            downTime: 2m
            tls: {insecure: true}
        routes:
          - {path: /a, host: Example.COM, backend: demo, maxMessageBytes: 512, permessageDeflate: true}
          - {path: /b, backend: demo, maxMessageBytes: 2 GiB, normalizePath: true}
          - {path: /c, backend: demo, maxMessageBytes: 1B}
        timeouts:
          handshake: 1h
          maxHeaderBytes: 65536
          idle: 24h
          ping: 1ms
          drain: 0s
        demoBackend: off
        """,
            "test.yaml",
            dir);

    assertEquals(
        List.of(
            URI.create("ws://backend.example:80/"),
            URI.create("wss://[::1]:443/x/y"),
            URI.create("ws://10.0.0.1:81/")),
        config.backends().get("demo").servers());
    assertEquals(Duration.ofMillis(250), config.backends().get("demo").connectTimeout());
    assertEquals(Duration.ofMinutes(2), config.backends().get("demo").downTime());
    assertEquals(new BackendTlsConfig(null, true), config.backends().get("demo").tls());
    assertEquals(
        new RouteConfig("example.com", "/a", "demo", true, 512, "default"), config.routes().get(0));
    assertEquals(2L * 1024 * 1024 * 1024, config.routes().get(1).maxMessageBytes());
    assertTrue(config.routes().get(1).normalizePath());
    assertFalse(config.routes().get(2).normalizePath());
    assertEquals(1, config.routes().get(2).maxMessageBytes());
    assertEquals(
        new TimeoutsConfig(
            Duration.ofHours(1), 65536, Duration.ofHours(24), Duration.ofMillis(1), Duration.ZERO),
        config.timeouts());
    assertNull(config.demoBackend());
  }

  @Test
  void emptyTimeoutsAndNullDemoBackend_meanDefaults() throws Exception {
    ProxyConfig config =
        ConfigParser.parse(MINIMAL + "timeouts:\ndemoBackend: null\n", "test.yaml", dir);

    assertEquals(ConfigParser.DEFAULT_TIMEOUTS, config.timeouts());
    assertNull(config.demoBackend());
  }

  @Test
  void routePolicy_defaultsToDefault_andPoliciesDirResolvesAgainstTheFile() throws Exception {
    Path file = dir.resolve("etc/wssguard.yaml");
    Files.createDirectories(file.getParent());
    Files.writeString(
        file,
        MINIMAL
            + "    policy: chat\n  - path: /other\n    backend: demo\npolicies:\n"
            + "  dir: ../policies/\n");

    ProxyConfig config = ConfigParser.parse(file);

    assertEquals(
        List.of("chat", "default"), config.routes().stream().map(RouteConfig::policy).toList());
    assertEquals(dir.resolve("policies"), config.policiesDir());
  }

  @Test
  void noPoliciesBlock_meansTheEmbeddedDefaultPolicy() throws Exception {
    assertNull(ConfigParser.parse(MINIMAL, "test.yaml", dir).policiesDir());
    assertNull(ConfigParser.embeddedDefaults().policiesDir());
  }

  @Test
  void unreferencedBackendGroup_isFine() throws Exception {
    ProxyConfig config =
        ConfigParser.parse(
            MINIMAL.replace(
                "backends:\n", "backends:\n  spare:\n    servers: [ws://10.0.0.9:9000/]\n"),
            "test.yaml",
            dir);

    assertEquals(2, config.backends().size());
  }

  @Test
  void missingFile_isOneErrorWithoutPosition() {
    Path missing = dir.resolve("missing.yaml");

    ConfigException e = assertThrows(ConfigException.class, () -> ConfigParser.parse(missing));

    assertEquals(missing + ": cannot read: no such file", e.getMessage());
    assertEquals(
        List.of(new ConfigError(missing.toString(), 0, 0, "cannot read: no such file")),
        e.errors());
  }

  @Test
  void configError_printsFileLineColumnMessage() {
    assertEquals("a/b.yaml:14:7: boom", new ConfigError("a/b.yaml", 14, 7, "boom").toString());
  }

  @Test
  void bans_journalResolvesAgainstTheFile_andPortsDefaultToTheListeners() throws Exception {
    Path file = dir.resolve("etc/wssguard.yaml");
    Files.createDirectories(file.getParent());
    Files.writeString(
        file,
        """
        listeners:
          - {name: public, bind: "10.0.0.1:443", tls: {certificates: [{chain: c.pem, key: k.pem}]}}
          - {name: plain, bind: "[::1]:8080"}
          - {name: again, bind: "127.0.0.1:443"}
          - {name: test, bind: "127.0.0.2:0"}
        backends:
          demo: {servers: [ws://127.0.0.1:9000/]}
        routes: [{backend: demo}]
        bans:
          journal: state/bans.journal
          firewall:
            backend: nftables
        """);

    BansConfig bans = ConfigParser.parse(file).bans();

    assertEquals(
        new BansConfig(
            dir.resolve("etc/state/bans.journal"),
            new BansConfig.Firewall(BansConfig.Backend.NFTABLES, true, null, List.of(443, 8080)),
            BansConfig.DEFAULT_MAX),
        bans);
  }

  @Test
  void bans_applyFalseWritesTheRulesFile_andGivenPortsWin() throws Exception {
    BansConfig bans =
        ConfigParser.parse(
                MINIMAL
                    + """
        bans:
          journal: /var/lib/wssguard/bans.journal
          firewall:
            backend: ipset
            apply: false
            rulesFile: firewall.rules
            ports: [443, 8443]
        """,
                "test.yaml",
                dir)
            .bans();

    assertEquals(
        new BansConfig(
            Path.of("/var/lib/wssguard/bans.journal"),
            new BansConfig.Firewall(
                BansConfig.Backend.IPSET, false, dir.resolve("firewall.rules"), List.of(443, 8443)),
            BansConfig.DEFAULT_MAX),
        bans);
  }

  @Test
  void bans_memoryOnly_whenAbsentOrWithoutJournal() throws Exception {
    assertNull(ConfigParser.parse(MINIMAL, "test.yaml", dir).bans());
    assertEquals(
        new BansConfig(null, null, BansConfig.DEFAULT_MAX),
        ConfigParser.parse(MINIMAL + "bans:\n  firewall: {backend: none}\n", "test.yaml", dir)
            .bans());
  }

  @Test
  void bansMax_isReadFromTheFile_andDefaultsTo100000() throws Exception {
    assertEquals(
        new BansConfig(null, null, 250),
        ConfigParser.parse(MINIMAL + "bans:\n  max: 250\n", "test.yaml", dir).bans());
    assertEquals(
        100_000,
        ConfigParser.parse(MINIMAL + "bans:\n  journal: j\n", "test.yaml", dir).bans().max());
    assertEquals(100_000, BansConfig.maxOf(ConfigParser.parse(MINIMAL, "test.yaml", dir).bans()));
  }

  @Test
  void record_absentOrOff_recordsNothing() throws Exception {
    assertNull(ConfigParser.parse(MINIMAL, "test.yaml", dir).record());
    assertNull(ConfigParser.parse(MINIMAL + "record: off\n", "test.yaml", dir).record());
  }

  @Test
  void record_resolvesTheDirectory_withDefaultsForTheRest() throws Exception {
    assertEquals(
        new RecordConfig(dir.resolve("traffic"), Quantities.GIB, 1.0),
        ConfigParser.parse(MINIMAL + "record: {dir: traffic/}\n", "test.yaml", dir).record());
    assertEquals(
        new RecordConfig(Path.of("/var/lib/wssguard/traffic"), 512 * Quantities.MIB, 0.25),
        ConfigParser.parse(
                MINIMAL
                    + "record: {dir: /var/lib/wssguard/traffic, maxBytes: 512MiB, sample: 0.25}\n",
                "test.yaml",
                dir)
            .record());
  }
}
