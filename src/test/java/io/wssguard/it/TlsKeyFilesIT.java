package io.wssguard.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.wssguard.config.ListenerConfig;
import io.wssguard.config.ProxyConfig;
import io.wssguard.testing.CapturedLog;
import io.wssguard.tls.DevCertificate;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real proxy started on a private key file that others can read warns in the log and counts it
 * per listener ({@code wssguard_tls_key_files_insecure}); one readable only by the service's own
 * group (the packaged root:wssguard 0640) does not. A reload counts again, and drops the series of
 * a listener that no longer serves TLS.
 */
class TlsKeyFilesIT {
  @TempDir Path certs;
  private CapturedLog tlsLog;

  @BeforeEach
  void captureTlsWarnings() {
    tlsLog = CapturedLog.of("io.wssguard.tls.ServerTls");
  }

  @AfterEach
  void stopCapturing() {
    tlsLog.close();
  }

  private Path key() {
    return certs.resolve("key.pem");
  }

  private void generate() throws Exception {
    DevCertificate.ensure(certs.resolve("cert.pem"), key());
  }

  private TestProxy start() throws Exception {
    return TestProxy.builder(certs).backend("b", "ws://127.0.0.1:9/").route("/", "b").start();
  }

  private String scrape() throws Exception {
    try (TestProxy proxy = start()) {
      return scrape(proxy);
    }
  }

  private static String scrape(TestProxy proxy) {
    return proxy.server.observability().metrics().scrape();
  }

  /** {@code config} with the listeners named in {@code drop} removed. */
  private static ProxyConfig without(ProxyConfig config, Set<String> drop) {
    List<ListenerConfig> kept =
        config.listeners().stream().filter(l -> !drop.contains(l.name())).toList();
    return new ProxyConfig(
        kept,
        config.backends(),
        config.routes(),
        config.timeouts(),
        config.demoBackend(),
        config.policiesDir(),
        config.bans(),
        config.source(),
        config.admin(),
        config.limits(),
        config.watchPolicies(),
        config.cluster(),
        config.record());
  }

  @Test
  void worldReadableKey_isWarnedAndCounted_perListener() throws Exception {
    generate();
    Files.setPosixFilePermissions(key(), PosixFilePermissions.fromString("rw-r--r--"));
    String metrics = scrape();
    assertTrue(
        metrics.contains("wssguard_tls_key_files_insecure{listener=\"boring\"} 1.0"), metrics);
    assertTrue(metrics.contains("wssguard_tls_key_files_insecure{listener=\"jdk\"} 1.0"), metrics);
    assertTrue(
        tlsLog
            .messages()
            .contains(
                key()
                    + ": private key file is world-readable (mode 0644); chmod o-r "
                    + key()
                    + " (the packaged layout is root:wssguard 0640)"),
        tlsLog.messages().toString());
  }

  @Test
  void keyReadableByTheServicesOwnGroup_isFine() throws Exception {
    generate();
    Files.setPosixFilePermissions(key(), PosixFilePermissions.fromString("rw-r-----"));
    String metrics = scrape();
    assertTrue(
        metrics.contains("wssguard_tls_key_files_insecure{listener=\"boring\"} 0.0"), metrics);
    assertEquals(
        List.of(), tlsLog.messages().stream().filter(w -> w.contains("private key")).toList());
  }

  @Test
  void keyReadableByAnotherGroup_isWarnedAndCounted() throws Exception {
    assumeTrue("root".equals(System.getProperty("user.name")), "needs root to chgrp the key");
    generate();
    Files.setPosixFilePermissions(key(), PosixFilePermissions.fromString("rw-r-----"));
    Files.setAttribute(key(), "unix:gid", 65534);
    String metrics = scrape();
    assertTrue(
        metrics.contains("wssguard_tls_key_files_insecure{listener=\"boring\"} 1.0"), metrics);
    assertTrue(
        tlsLog
            .messages()
            .contains(
                key()
                    + ": private key file is readable by group 65534, which is not this process's"
                    + " group 0 (mode 0640); chgrp it to the service's group or chmod g-r "
                    + key()),
        tlsLog.messages().toString());
  }

  @Test
  void reload_countsTheKeyFilesAgain_andDropsTheSeriesOfARemovedTlsListener() throws Exception {
    generate();
    Files.setPosixFilePermissions(key(), PosixFilePermissions.fromString("rw-r--r--"));
    try (TestProxy proxy = start()) {
      assertTrue(
          scrape(proxy).contains("wssguard_tls_key_files_insecure{listener=\"boring\"} 1.0"),
          scrape(proxy));

      Files.setPosixFilePermissions(key(), PosixFilePermissions.fromString("rw-r-----"));
      proxy.server.reload(
          proxy.server.config(), TestPolicies.set(TestPolicies.permissive("default")));
      String fixed = scrape(proxy);
      assertTrue(fixed.contains("wssguard_tls_key_files_insecure{listener=\"boring\"} 0.0"), fixed);
      assertTrue(fixed.contains("wssguard_tls_key_files_insecure{listener=\"jdk\"} 0.0"), fixed);
      assertTrue(fixed.contains("wssguard_certificate_expiry_seconds{listener=\"jdk\""), fixed);

      proxy.server.reload(
          without(proxy.server.config(), Set.of("jdk")),
          TestPolicies.set(TestPolicies.permissive("default")));
      String removed = scrape(proxy);
      assertFalse(removed.contains("wssguard_tls_key_files_insecure{listener=\"jdk\"}"), removed);
      assertFalse(
          removed.contains("wssguard_certificate_expiry_seconds{listener=\"jdk\""), removed);
      assertTrue(
          removed.contains("wssguard_tls_key_files_insecure{listener=\"boring\"} 0.0"), removed);
    }
  }
}
