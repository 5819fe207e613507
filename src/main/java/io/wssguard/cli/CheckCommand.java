package io.wssguard.cli;

import io.wssguard.admin.AdminToken;
import io.wssguard.admin.AdminTokenException;
import io.wssguard.config.CertificateConfig;
import io.wssguard.config.ConfigException;
import io.wssguard.config.ConfigParser;
import io.wssguard.config.ListenerConfig;
import io.wssguard.config.ProxyConfig;
import io.wssguard.config.TlsConfig;
import io.wssguard.policy.PolicyParser;
import io.wssguard.policy.PolicySet;
import io.wssguard.server.RuntimeSnapshot;
import io.wssguard.server.SnapshotException;
import io.wssguard.tls.CertificateValidity;
import io.wssguard.tls.DevCertificate;
import io.wssguard.tls.TlsSetupException;
import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code wssguard check}: everything {@code run} does short of binding sockets, so a service
 * manager can refuse a start (or an operator a reload) that could never succeed. It builds the same
 * {@link RuntimeSnapshot} a start and a reload build (certificates and keys, the TLS engine,
 * backend TLS, policies, routes), then reports what a start would only find later: certificate
 * expiry, the admin token file, backend host names.
 *
 * <p>Exit 0: clean, warnings allowed; 2: at least one error, each on its own line, file first.
 * Certificates marked {@code generateIfMissing} whose files do not exist yet are checked with a
 * throw-away generated pair, since {@code run} will generate them; nothing is written beside the
 * configuration. Likewise a missing admin token file that {@code run} will generate ({@code
 * admin.generateToken}: the default file, or the packaged one) is a note, while a missing token
 * file the operator was to provide is an error. A backend host name that does not resolve is a
 * warning: DNS may not be up at boot, and the proxy marks such a server down and retries.
 */
@Command(
    name = "check",
    mixinStandardHelpOptions = true,
    description =
        "Check a configuration and every file it names without starting (exit 0 clean, 2 on"
            + " errors).")
final class CheckCommand implements Callable<Integer> {
  /** A certificate that expires sooner than this is a warning. */
  static final Duration EXPIRY_WARNING = Duration.ofDays(7);

  @Option(
      names = {"-c", "--config"},
      paramLabel = "FILE",
      required = true,
      description = "Configuration file (YAML, see docs/CONFIG.md).")
  Path config;

  @Override
  public Integer call() throws IOException {
    ProxyConfig cfg;
    PolicySet policies;
    try {
      cfg = ConfigParser.parse(config);
      policies = PolicyParser.forConfig(cfg);
    } catch (ConfigException e) {
      System.err.println(e.getMessage());
      return 2;
    }
    List<String> errors = new ArrayList<>();
    List<String> warnings = new ArrayList<>();
    Path scratch = Files.createTempDirectory("wssguard-check");
    try {
      RuntimeSnapshot.check(withPendingGenerated(cfg, scratch, warnings), policies);
    } catch (SnapshotException e) {
      errors.addAll(e.errors());
    } finally {
      deleteTree(scratch);
    }
    expiry(cfg, errors, warnings);
    tokenFile(cfg, errors, warnings);
    backendHosts(cfg, warnings);
    warnings.forEach(w -> System.err.println(w));
    errors.forEach(e -> System.err.println(e));
    if (!errors.isEmpty()) {
      System.err.println(config + ": " + errors.size() + " error(s), nothing would start");
      return 2;
    }
    System.out.println(
        config
            + ": OK ("
            + cfg.listeners().size()
            + " listeners, "
            + cfg.backends().size()
            + " backend groups, "
            + cfg.routes().size()
            + " routes, "
            + policies.policies().size()
            + " policies"
            + (warnings.isEmpty() ? "" : ", " + warnings.size() + " warning(s)")
            + ")");
    return 0;
  }

  /**
   * The configuration with every certificate still to be generated pointed at a throw-away pair, so
   * the rest of its listener is checked as {@code run} would build it.
   */
  private static ProxyConfig withPendingGenerated(ProxyConfig cfg, Path scratch, List<String> notes)
      throws IOException {
    List<ListenerConfig> listeners = new ArrayList<>();
    int n = 0;
    for (ListenerConfig l : cfg.listeners()) {
      if (l.tls() == null) {
        listeners.add(l);
        continue;
      }
      List<CertificateConfig> certs = new ArrayList<>();
      for (CertificateConfig c : l.tls().certificates()) {
        if (c.generateIfMissing() && !Files.exists(c.chain()) && !Files.exists(c.privateKey())) {
          notes.add(
              c.chain() + ": note: not there yet; run will generate a self-signed certificate");
          Path chain = scratch.resolve("cert-" + n + ".pem");
          Path key = scratch.resolve("key-" + n++ + ".pem");
          try {
            DevCertificate.ensure(chain, key);
          } catch (TlsSetupException e) {
            throw new IOException(e.getMessage(), e);
          }
          certs.add(new CertificateConfig(chain, key, c.serverNames(), false));
        } else {
          certs.add(c);
        }
      }
      TlsConfig t = l.tls();
      listeners.add(
          new ListenerConfig(
              l.name(),
              l.bind(),
              new TlsConfig(
                  t.engine(),
                  t.fallbackToJdk(),
                  certs,
                  t.protocols(),
                  t.sessionTickets(),
                  t.ticketKeyRotation()),
              l.proxyProtocolFrom()));
    }
    return new ProxyConfig(
        listeners,
        cfg.backends(),
        cfg.routes(),
        cfg.timeouts(),
        cfg.demoBackend(),
        cfg.policiesDir(),
        cfg.bans(),
        cfg.source(),
        cfg.admin(),
        cfg.limits(),
        cfg.watchPolicies(),
        cfg.cluster(),
        cfg.record());
  }

  /** Each readable chain's validity: expired or expiring within a week is a warning. */
  private static void expiry(ProxyConfig cfg, List<String> errors, List<String> warnings) {
    Instant now = Instant.now();
    for (ListenerConfig l : cfg.listeners()) {
      if (l.tls() == null) {
        continue;
      }
      for (CertificateConfig c : l.tls().certificates()) {
        if (!Files.exists(c.chain())
            || errors.stream().anyMatch(e -> e.startsWith(c.chain() + ":"))) {
          continue;
        }
        CertificateValidity v;
        try {
          v = CertificateValidity.of(c.chain());
        } catch (TlsSetupException e) {
          continue; // already reported by the snapshot
        }
        String until = v.notAfter().truncatedTo(ChronoUnit.SECONDS).toString();
        if (v.notAfter().isBefore(now)) {
          warnings.add(c.chain() + ": warning: certificate " + v.subject() + " expired " + until);
        } else if (v.notAfter().isBefore(now.plus(EXPIRY_WARNING))) {
          warnings.add(
              c.chain()
                  + ": warning: certificate "
                  + v.subject()
                  + " expires "
                  + until
                  + " (in less than "
                  + EXPIRY_WARNING.toDays()
                  + " days)");
        } else {
          System.out.println(c.chain() + ": certificate " + v.subject() + " valid until " + until);
        }
      }
    }
  }

  /**
   * The admin API's token file must be there and hold a token, unless {@code run} will generate it
   * ({@code admin.generateToken}, the default for the default file): then its absence is a note.
   * One every local user can read is a warning, as at start.
   */
  private static void tokenFile(ProxyConfig cfg, List<String> errors, List<String> warnings) {
    Path file = cfg.admin().tokenFile();
    if (!cfg.admin().enabled() || file == null) {
      return;
    }
    if (!Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
      if (cfg.admin().generateToken()) {
        warnings.add(
            file + ": note: admin token not there yet; run will generate it (random, mode 0600)");
      } else {
        errors.add(file + ": admin token file " + AdminToken.notProvided(file).problem());
      }
      return;
    }
    try {
      AdminToken.read(file);
    } catch (AdminTokenException e) {
      errors.add(file + ": admin token file " + e.problem());
      return;
    }
    String exposure = AdminToken.exposure(file);
    if (exposure != null) {
      warnings.add(file + ": warning: admin token file " + exposure);
    }
  }

  private void backendHosts(ProxyConfig cfg, List<String> warnings) {
    cfg.backends().values().stream()
        .sorted(Comparator.comparing(g -> g.name()))
        .forEach(
            g -> {
              for (URI server : g.servers()) {
                try {
                  InetAddress.getAllByName(server.getHost());
                } catch (UnknownHostException e) {
                  warnings.add(
                      config
                          + ": warning: backend group '"
                          + g.name()
                          + "': host '"
                          + server.getHost()
                          + "' does not resolve now");
                }
              }
            });
  }

  private static void deleteTree(Path dir) throws IOException {
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }
}
