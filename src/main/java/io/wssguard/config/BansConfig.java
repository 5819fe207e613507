package io.wssguard.config;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * Where bans are kept and whether they reach the kernel.
 *
 * @param journal the ban journal (bans survive restarts), or {@code null}: bans are kept in memory
 *     only
 * @param firewall how bans are loaded into the kernel, or {@code null} for not at all ({@code
 *     backend: none})
 */
public record BansConfig(Path journal, Firewall firewall) {

  /** The mechanism that holds the bans in the kernel. */
  public enum Backend {
    IPSET,
    NFTABLES,
    IPTABLES
  }

  /**
   * Where bans reach the kernel firewall.
   *
   * @param backend which tool holds the bans
   * @param apply load the rules directly (needs CAP_NET_ADMIN); else write them to {@code
   *     rulesFile}
   * @param rulesFile where the rendered rules are written when {@code apply} is false, else {@code
   *     null}
   * @param ports the protected TCP ports (1 to 15); the listeners' ports unless given
   */
  public record Firewall(Backend backend, boolean apply, Path rulesFile, List<Integer> ports) {
    public Firewall {
      Objects.requireNonNull(backend, "backend");
      ports = List.copyOf(ports);
      if (apply != (rulesFile == null)) {
        throw new IllegalArgumentException("rulesFile is set exactly when apply is false");
      }
    }
  }
}
