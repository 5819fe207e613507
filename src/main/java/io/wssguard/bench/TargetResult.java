package io.wssguard.bench;

import java.util.List;

/**
 * What one target's measured window gave. Times in milliseconds; proxy figures are null for {@code
 * direct} and wherever {@code /proc} could not be read.
 *
 * @param curveMs round-trip time at each of {@link #CURVE_PERCENTILES}
 * @param proxyCpuUsPerMessage proxy CPU per relayed message (two per echo: client to backend,
 *     backend to client)
 * @param proxyCpuTickUsPerMessage the same from utime+stime (10 ms ticks), as a cross-check
 */
record TargetResult(
    Target target,
    String url,
    int connections,
    int connected,
    double seconds,
    long sent,
    long echoed,
    double messagesPerSecond,
    double p50Ms,
    double p90Ms,
    double p99Ms,
    double p999Ms,
    double maxMs,
    double meanMs,
    List<Double> curveMs,
    Double proxyCpuUsPerMessage,
    Double proxyCpuTickUsPerMessage,
    Double proxyCpuSeconds,
    Double proxyRssBytesPerConnection,
    long connectErrors,
    long unexpectedCloses,
    long protocolErrors,
    long closeTimeouts,
    long skippedSends,
    String firstError) {

  static final double[] CURVE_PERCENTILES = {50, 75, 90, 95, 99, 99.5, 99.9, 99.95, 99.99};

  long errors() {
    return connectErrors + unexpectedCloses + protocolErrors;
  }
}
