package io.wssguard.policy;

/**
 * One named policy from a policy file: what a route's clients may do, and what happens when they do
 * more. Immutable and validated; {@code null} for a limit means "no limit".
 *
 * @param file the file it came from (for messages and audit), {@code line} where its name stands
 */
public record Policy(
    String name,
    Mode mode,
    HandshakeRules handshake,
    PerIpLimits perIp,
    PerConnectionLimits perConnection,
    AccessRules access,
    StrikeRules strikes,
    String file,
    int line) {}
