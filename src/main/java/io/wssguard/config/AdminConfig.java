package io.wssguard.config;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;

/**
 * The admin listener (metrics, status, bans, reload; see {@code docs/OBSERVABILITY.md}) and the
 * access log.
 *
 * @param bind where the admin HTTP listener listens, or {@code null} when it is off
 * @param tokenFile a file holding the bearer token the admin API asks for; required when {@code
 *     bind} is not a loopback address, optional (then also required) on loopback; {@code null} for
 *     none
 * @param accessLog whether every proxied connection gets an open and a close line on stdout
 * @param explicit whether the file has an admin block; only then is failing to start the admin
 *     listener fatal (the default port may be taken by another process on a development machine)
 */
public record AdminConfig(
    InetSocketAddress bind, Path tokenFile, boolean accessLog, boolean explicit) {
  public static final int DEFAULT_PORT = 9090;

  /** No admin listener, no access log: what a configuration built in code gets unless it asks. */
  public static final AdminConfig OFF = new AdminConfig(null, null, false, false);

  /**
   * The default when a configuration file has no admin block: loopback port 9090, no token, no
   * access log.
   */
  public static AdminConfig defaults() {
    return new AdminConfig(
        new InetSocketAddress(InetAddress.getLoopbackAddress(), DEFAULT_PORT), null, false, false);
  }

  public boolean enabled() {
    return bind != null;
  }

  /** Whether requests must carry the bearer token. */
  public boolean requiresToken() {
    return tokenFile != null;
  }
}
