package io.wssguard.config;

import io.wssguard.net.Cidr;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The admin listener (metrics, health, status, bans, reload; see {@code docs/OBSERVABILITY.md}) and
 * the access log.
 *
 * @param bind where the admin HTTP listener listens, or {@code null} when it is off
 * @param tokenFile the file holding the bearer token every admin request but the loopback {@code
 *     /metrics}, {@code /healthz} and {@code /ready} needs. Required with a bind ({@link
 *     ConfigParser} fills in {@code state/admin.token} when the file names none)
 * @param generateToken whether a missing {@code tokenFile} is created with a random token at start
 *     ({@code admin.generateToken}); otherwise it is one the operator provides and a missing one is
 *     an error. Defaults to true for the default file, false for a file the configuration names: a
 *     token put in place on purpose (shared with a scraper, say) that is not there is a mistake to
 *     report, not to paper over with a fresh token nobody else knows
 * @param hostNames names besides the bind address that the {@code Host} header may carry (requests
 *     naming any other host get 421: DNS rebinding); lower case
 * @param widestBan the widest blocks the admin API bans
 * @param accessLog whether every proxied connection gets an open and a close line on stdout
 * @param explicit whether the file has an admin block; only then is failing to start the admin
 *     listener fatal (the default port may be taken by another process on a development machine)
 */
public record AdminConfig(
    InetSocketAddress bind,
    Path tokenFile,
    boolean generateToken,
    List<String> hostNames,
    WidestBan widestBan,
    boolean accessLog,
    boolean explicit) {
  public static final int DEFAULT_PORT = 9090;

  /** Where the token file goes when the configuration names none, against its directory. */
  public static final Path DEFAULT_TOKEN_FILE = Path.of("state", "admin.token");

  /** No admin listener, no access log: what a configuration built in code gets unless it asks. */
  public static final AdminConfig OFF = new AdminConfig(null, null, false, false);

  /**
   * The shortest prefixes an admin API ban may have, per family: a typo like {@code /1} must not
   * lock out half the internet. Never 0.
   */
  public record WidestBan(int ipv4, int ipv6) {
    /** IPv4 /16, IPv6 /32: a provider's allocation at most. */
    public static final WidestBan DEFAULT = new WidestBan(16, 32);

    public WidestBan {
      if (ipv4 < 1 || ipv4 > 32 || ipv6 < 1 || ipv6 > 128) {
        throw new IllegalArgumentException(
            "widestBan " + ipv4 + "/" + ipv6 + " (expected: ipv4 1..32, ipv6 1..128)");
      }
    }

    /**
     * Why {@code target} is wider than a ban by hand may be (the admin API's and {@code wssguard
     * ban}'s), or empty when it is not.
     */
    public Optional<String> refusal(Cidr target) {
      boolean v4 = target.network() instanceof Inet4Address;
      int limit = v4 ? ipv4 : ipv6;
      if (target.prefix() == 0) {
        return Optional.of("target: " + target + " is every address (never banned)");
      }
      if (target.prefix() < limit) {
        return Optional.of(
            "target: "
                + target
                + " is wider than /"
                + limit
                + ", the widest "
                + (v4 ? "IPv4" : "IPv6")
                + " ban allowed (admin.widestBan."
                + (v4 ? "ipv4" : "ipv6")
                + ")");
      }
      return Optional.empty();
    }
  }

  public AdminConfig {
    hostNames = List.copyOf(hostNames);
    Objects.requireNonNull(widestBan, "widestBan");
    if (bind != null && tokenFile == null) {
      throw new IllegalArgumentException("an admin listener needs a token file");
    }
  }

  /** A token generated when missing. */
  public AdminConfig(
      InetSocketAddress bind,
      Path tokenFile,
      List<String> hostNames,
      WidestBan widestBan,
      boolean accessLog,
      boolean explicit) {
    this(bind, tokenFile, tokenFile != null, hostNames, widestBan, accessLog, explicit);
  }

  /** A token generated when missing, no extra host names, the default widest ban. */
  public AdminConfig(InetSocketAddress bind, Path tokenFile, boolean accessLog, boolean explicit) {
    this(bind, tokenFile, List.of(), WidestBan.DEFAULT, accessLog, explicit);
  }

  /**
   * The default when a configuration file has no admin block: loopback port 9090, the token in
   * {@code state/admin.token} under {@code baseDir}, no access log.
   */
  public static AdminConfig defaults(Path baseDir) {
    return new AdminConfig(
        new InetSocketAddress(InetAddress.getLoopbackAddress(), DEFAULT_PORT),
        baseDir.resolve(DEFAULT_TOKEN_FILE).toAbsolutePath().normalize(),
        false,
        false);
  }

  public boolean enabled() {
    return bind != null;
  }
}
