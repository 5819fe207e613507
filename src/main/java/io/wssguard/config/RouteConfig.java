package io.wssguard.config;

/**
 * Maps requests to a backend group. Routes are tried in file order; the first whose host (if set)
 * and path prefix match wins.
 *
 * @param host the {@code Host} name to match (without port), or {@code null} for any
 * @param pathPrefix a path prefix starting with {@code /}
 * @param permessageDeflate pass {@code permessage-deflate} offers to the backend (default: strip
 *     them, so message sizes and rates are real and no decompression bomb passes through)
 * @param maxMessageBytes largest message (sum of its frames' payloads) relayed in either direction;
 *     larger closes with 1009
 * @param policy the name of the policy that applies to this route's clients (default {@code
 *     default})
 * @param normalizePath take a path with dot-segments, empty segments or {@code ;} parameters in its
 *     normalised form (matched, checked and forwarded as such) instead of refusing it with 400 (the
 *     default)
 */
public record RouteConfig(
    String host,
    String pathPrefix,
    String backend,
    boolean permessageDeflate,
    long maxMessageBytes,
    String policy,
    boolean normalizePath) {

  /** A route that refuses irregular paths. */
  public RouteConfig(
      String host,
      String pathPrefix,
      String backend,
      boolean permessageDeflate,
      long maxMessageBytes,
      String policy) {
    this(host, pathPrefix, backend, permessageDeflate, maxMessageBytes, policy, false);
  }
}
