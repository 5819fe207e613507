package io.wssguard.config;

import io.wssguard.ban.BanCap;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * Where bans are kept, how many, and whether they reach the kernel.
 *
 * @param journal the ban journal (bans survive restarts), or {@code null}: bans are kept in memory
 *     only
 * @param firewall how bans are loaded into the kernel, or {@code null} for not at all ({@code
 *     backend: none})
 * @param max the most bans held ({@code bans.max}, {@link #MIN_MAX}..{@link #MAX_MAX}); at the cap
 *     a new ban is widened to the block around it instead of dropped ({@link BanCap})
 */
public record BansConfig(Path journal, Firewall firewall, int max) {
  /** {@code bans.max} when the file does not set it. */
  public static final int DEFAULT_MAX = BanCap.DEFAULT_MAX;

  /**
   * Below this a handful of strikes would widen bans to whole /24s and /48s: no operator means
   * that.
   */
  public static final int MIN_MAX = 100;

  /** About a gigabyte of heap for the list and its index; far above what strikes produce. */
  public static final int MAX_MAX = 10_000_000;

  public BansConfig {
    if (max < MIN_MAX || max > MAX_MAX) {
      throw new IllegalArgumentException(
          "bans.max: " + max + " (expected: " + MIN_MAX + ".." + MAX_MAX + ")");
    }
  }

  /** The {@code bans.max} of {@code bans}, the default for no {@code bans} block. */
  public static int maxOf(BansConfig bans) {
    return bans == null ? DEFAULT_MAX : bans.max();
  }

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
