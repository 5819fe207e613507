package io.wssguard.cli;

import io.wssguard.config.CertificateConfig;
import io.wssguard.config.ConfigException;
import io.wssguard.config.ConfigParser;
import io.wssguard.config.ListenerConfig;
import io.wssguard.config.ProxyConfig;
import io.wssguard.tls.DevCertificate;
import io.wssguard.tls.TlsSetupException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code wssguard certs ensure}: generates the development certificates a config asks for ({@code
 * generateIfMissing}) before the proxy starts, so that the proxy itself never needs to write the
 * certificate directory. The packaged unit runs it as root ({@code ExecStartPre=+}) with {@code
 * --key-group wssguard}: a generated key is then {@code root:wssguard 0640}, the packaged layout,
 * and {@code /etc/wssguard/certs} stays read-only to the service. Exit codes: 0 done (or nothing to
 * do), 1 a certificate could not be written, 2 a configuration error.
 */
@Command(
    name = "certs",
    mixinStandardHelpOptions = true,
    description = "Certificate files.",
    subcommands = {CertsCommand.Ensure.class})
final class CertsCommand implements Runnable {
  @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(System.out);
  }

  @Command(
      name = "ensure",
      mixinStandardHelpOptions = true,
      description =
          "Generate the missing development certificates the config marks generateIfMissing"
              + " (never overwrites).")
  static final class Ensure implements Callable<Integer> {
    @Option(
        names = {"-c", "--config"},
        required = true,
        paramLabel = "FILE",
        description = "Configuration file.")
    Path config;

    @Option(
        names = "--key-group",
        paramLabel = "GROUP",
        description = "Give generated keys to this group, mode 0640 (the service's group).")
    String keyGroup;

    @Override
    public Integer call() {
      ProxyConfig cfg;
      try {
        cfg = ConfigParser.parse(config);
      } catch (ConfigException e) {
        System.err.println(e.getMessage());
        return 2;
      }
      try {
        for (ListenerConfig listener : cfg.listeners()) {
          if (listener.tls() == null) {
            continue;
          }
          for (CertificateConfig cert : listener.tls().certificates()) {
            if (cert.generateIfMissing()
                && DevCertificate.ensure(cert.chain(), cert.privateKey())) {
              if (keyGroup != null) {
                shareWithGroup(cert.privateKey(), keyGroup);
              }
              System.out.println(
                  "generated a self-signed development certificate "
                      + cert.chain()
                      + " (key "
                      + cert.privateKey()
                      + ")");
            }
          }
        }
        return 0;
      } catch (TlsSetupException | IOException e) {
        System.err.println("certs ensure: " + e.getMessage());
        return 1;
      }
    }

    /** {@code chgrp group key; chmod 0640 key}, never through a link. */
    private static void shareWithGroup(Path key, String group) throws IOException {
      PosixFileAttributeView view =
          Files.getFileAttributeView(key, PosixFileAttributeView.class, LinkOption.NOFOLLOW_LINKS);
      GroupPrincipal principal =
          key.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByGroupName(group);
      view.setGroup(principal);
      view.setPermissions(PosixFilePermissions.fromString("rw-r-----"));
    }
  }
}
