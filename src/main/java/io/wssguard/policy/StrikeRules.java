package io.wssguard.policy;

import java.time.Duration;

/**
 * {@code maxStrikes} strikes within {@code window} ban the source for {@code banFor} (handshakes
 * answered 403).
 */
public record StrikeRules(int maxStrikes, Duration window, Duration banFor) {}
