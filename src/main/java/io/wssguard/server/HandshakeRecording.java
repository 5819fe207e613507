package io.wssguard.server;

import io.undertow.server.HttpServerExchange;
import io.undertow.util.HeaderValues;
import io.undertow.util.HttpString;
import io.wssguard.handshake.HandshakeGate;
import io.wssguard.traffic.ConnectionTap;
import io.wssguard.traffic.RecordedHandshake;
import io.wssguard.traffic.TrafficRecorder;
import java.util.Locale;
import java.util.StringJoiner;

/**
 * The recording of one routed handshake: written once, with its answer, either when the exchange
 * completes (a refusal) or when the upgrade hands the connection to a relay (101), whichever comes
 * first; the relay then records the frames under the same connection number.
 */
final class HandshakeRecording {
  private static final HttpString ORIGIN = new HttpString("Origin");
  private static final HttpString PROTOCOL = new HttpString("Sec-WebSocket-Protocol");
  private static final HttpString FORWARDED_FOR = new HttpString("X-Forwarded-For");

  private final TrafficRecorder recorder;
  private final HttpServerExchange exchange;
  private final String route;
  private final String path;
  private long conn;

  private HandshakeRecording(
      TrafficRecorder recorder, HttpServerExchange exchange, String route, String path) {
    this.recorder = recorder;
    this.exchange = exchange;
    this.route = route;
    this.path = path;
  }

  /** Starts recording the exchange's handshake, or returns null (not recording, not sampled). */
  static HandshakeRecording start(
      TrafficRecorder recorder, HttpServerExchange exchange, String route, String path) {
    if (recorder == null || !recorder.sampled()) {
      return null;
    }
    HandshakeRecording r = new HandshakeRecording(recorder, exchange, route, path);
    exchange.addExchangeCompleteListener(
        (ex, next) -> {
          r.record(ex.getStatusCode());
          next.proceed();
        });
    return r;
  }

  /** The connection was upgraded: records the 101 (if not yet) and returns the relay's taps. */
  ConnectionTap upgraded() {
    record(101);
    return recorder.connection(conn);
  }

  private void record(int status) {
    if (conn != 0) {
      return;
    }
    StringJoiner names = new StringJoiner(",");
    exchange
        .getRequestHeaders()
        .getHeaderNames()
        .forEach(n -> names.add(n.toString().toLowerCase(Locale.ROOT)));
    conn =
        recorder.handshake(
            new RecordedHandshake(
                exchange.getSourceAddress().getAddress(),
                route,
                path,
                status,
                joined(exchange.getRequestHeaders().get(ORIGIN)),
                joined(exchange.getRequestHeaders().get(PROTOCOL)),
                joined(exchange.getRequestHeaders().get(FORWARDED_FOR)),
                names.toString(),
                HandshakeGate.headerBlockBytes(exchange)));
  }

  private static String joined(HeaderValues values) {
    return values == null || values.isEmpty() ? null : String.join(", ", values);
  }
}
