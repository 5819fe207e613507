package io.wssguard.policy;

/**
 * A plain upper bound on a count or a size (connections, bytes of one message, fragments of one
 * message).
 */
public record CountLimit(long max, Action action, boolean strike) {}
