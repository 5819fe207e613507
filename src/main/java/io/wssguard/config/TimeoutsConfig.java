package io.wssguard.config;

import java.time.Duration;

/**
 * Connection-level limits that hold for every listener.
 *
 * @param handshake time from TCP accept until the request headers are complete
 * @param maxHeaderBytes largest request header block (request line and headers); larger gets 431
 * @param idle a connection with no frame from either side for this long is closed with 1001
 * @param ping after this long without a frame from the client, the proxy pings it (keeps NATs open,
 *     detects dead peers)
 * @param drain on SIGTERM, how long open connections get to finish after 1001 was sent
 */
public record TimeoutsConfig(
    Duration handshake, int maxHeaderBytes, Duration idle, Duration ping, Duration drain) {}
