package io.wssguard.policy;

/**
 * Limits on one source address (IPv6: its configured prefix), summed over all its connections. Any
 * may be null.
 *
 * @param handshakes new connections per second (action REJECT: 429)
 * @param connections concurrent connections (action REJECT: 429)
 * @param messages messages per second, control frames included
 * @param bytes payload bytes per second
 */
public record PerIpLimits(
    RateLimit handshakes, CountLimit connections, RateLimit messages, RateLimit bytes) {
  public static final PerIpLimits NONE = new PerIpLimits(null, null, null, null);
}
