package io.wssguard.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.wssguard.policy.PolicyParser;
import io.wssguard.policy.PolicySet;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The configuration the DEB and RPM install as /etc/wssguard/wssguard.yaml, laid out as the
 * packages lay it out (the repository's policies/default.yaml beside it in policies/), parses and
 * names only policies that exist.
 */
class PackagedConfigTest {
  @TempDir Path etc;

  @Test
  void packagedConfig_parsesWithThePackagedPolicies() throws Exception {
    Path config = etc.resolve("wssguard.yaml");
    Files.copy(Path.of("packaging/common/wssguard.yaml"), config);
    Files.createDirectories(etc.resolve("policies"));
    Files.copy(Path.of("policies/default.yaml"), etc.resolve("policies/default.yaml"));

    ProxyConfig cfg = ConfigParser.parse(config);
    PolicySet policies = PolicyParser.forConfig(cfg);

    assertEquals(List.of(), PolicyParser.missingPolicies(cfg, policies));
    assertEquals(1, cfg.listeners().size());
    ListenerConfig listener = cfg.listeners().get(0);
    assertEquals(new InetSocketAddress("0.0.0.0", 443), listener.bind());
    assertEquals(TlsEngine.BORINGSSL, listener.tls().engine());
    assertEquals(
        List.of(
            new CertificateConfig(
                etc.resolve("certs/server.pem"),
                etc.resolve("certs/server-key.pem"),
                List.of(),
                true)),
        listener.tls().certificates());
    assertEquals(List.of(URI.create("ws://127.0.0.1:9000/")), cfg.backends().get("app").servers());
    assertEquals(etc.resolve("policies"), cfg.policiesDir());
    assertNull(cfg.demoBackend());
    // Bans survive restarts, and are rendered for wssguard-firewall.service (the proxy has no
    // CAP_NET_ADMIN) on the listener's port: the one place the port is written.
    assertEquals(
        new BansConfig(
            Path.of("/var/lib/wssguard/bans.journal"),
            new BansConfig.Firewall(
                BansConfig.Backend.IPSET,
                false,
                Path.of("/var/lib/wssguard/firewall.rules"),
                List.of(443)),
            BansConfig.DEFAULT_MAX),
        cfg.bans());
    // The proxy makes its admin token at first start, in the state directory it may write.
    assertEquals(Path.of("/var/lib/wssguard/admin.token"), cfg.admin().tokenFile());
    assertTrue(cfg.admin().generateToken());
    // The unit's TimeoutStopSec (30s) must leave room for the drain.
    assertTrue(
        cfg.timeouts().drain().compareTo(Duration.ofSeconds(20)) <= 0,
        "drain " + cfg.timeouts().drain());
  }
}
