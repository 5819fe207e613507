package io.wssguard.traffic;

import java.net.InetAddress;

/**
 * What a recording keeps of one opening handshake: who connected, where to, what became of it, and
 * the request facts a policy tests (never a payload, never a cookie or credential value).
 *
 * @param peer the TCP peer (the client, or the proxy in front of it)
 * @param route the route's label
 * @param path the request's one path (as matched against routes and {@code handshake.paths})
 * @param status the answer: 101, or the refusal's status
 * @param origin the {@code Origin} header, null when absent (several values are joined by {@code ",
 *     "})
 * @param subprotocols the offered {@code Sec-WebSocket-Protocol} value, null when absent
 * @param forwardedFor the {@code X-Forwarded-For} value, null when absent
 * @param headerNames the request's header names, lower case, comma-separated (for {@code
 *     handshake.requiredHeaders})
 * @param headerBytes the size of the request line and headers (for {@code
 *     handshake.maxHeaderBytes})
 */
public record RecordedHandshake(
    InetAddress peer,
    String route,
    String path,
    int status,
    String origin,
    String subprotocols,
    String forwardedFor,
    String headerNames,
    int headerBytes) {}
