package io.wssguard.policy;

/**
 * A token-bucket limit: {@code perSecond} units per second on average, up to {@code burst} at once.
 *
 * @param strike whether exceeding it counts as a strike toward a ban
 */
public record RateLimit(double perSecond, long burst, Action action, boolean strike) {}
