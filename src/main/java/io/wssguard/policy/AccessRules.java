package io.wssguard.policy;

import io.wssguard.net.Cidr;
import java.util.List;

/**
 * Who may connect, and whose word about the client's address is believed.
 *
 * @param allow if not empty, only these blocks may connect (403 for others)
 * @param deny these blocks may not connect (403), even if allowed
 * @param trustedProxies peers whose {@code X-Forwarded-For} names the client; nobody else's is
 *     believed
 * @param ipv6Prefix IPv6 clients are counted per block of this prefix length (one host usually owns
 *     a /64)
 */
public record AccessRules(
    List<Cidr> allow, List<Cidr> deny, List<Cidr> trustedProxies, int ipv6Prefix) {
  public static final AccessRules NONE = new AccessRules(List.of(), List.of(), List.of(), 64);

  public AccessRules {
    allow = List.copyOf(allow);
    deny = List.copyOf(deny);
    trustedProxies = List.copyOf(trustedProxies);
  }
}
