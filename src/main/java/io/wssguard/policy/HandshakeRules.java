package io.wssguard.policy;

import java.util.List;

/**
 * Rules for the opening handshake, checked after routing and before a backend is dialed.
 *
 * @param origins allowed {@code Origin} values, exact ({@code https://app.example.com}) or with one
 *     wildcard label ({@code https://*.example.com}); empty = any origin (and none)
 * @param subprotocols allowed subprotocols; offers outside the list are removed before the backend
 *     sees them, and a client that offered some but none allowed is refused (403); empty = any
 * @param requiredHeaders header names that must be present (403 otherwise)
 * @param paths allowed path patterns ({@code *} matches within a segment, {@code **} across); empty
 *     = any
 * @param maxHeaderBytes largest request head for this route (431), 0 = the listener's limit
 */
public record HandshakeRules(
    List<String> origins,
    List<String> subprotocols,
    List<String> requiredHeaders,
    List<String> paths,
    int maxHeaderBytes) {

  public static final HandshakeRules NONE =
      new HandshakeRules(List.of(), List.of(), List.of(), List.of(), 0);

  public HandshakeRules {
    origins = List.copyOf(origins);
    subprotocols = List.copyOf(subprotocols);
    requiredHeaders = List.copyOf(requiredHeaders);
    paths = List.copyOf(paths);
  }
}
