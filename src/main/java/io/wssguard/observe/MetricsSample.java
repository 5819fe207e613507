package io.wssguard.observe;

import java.util.List;
import java.util.Map;

/**
 * The counters the console's overview charts, read at one moment from the metrics registry
 * (cumulative since start; rates are differences between two samples). Read once a second by the
 * console's sampler, never on the relay's path.
 *
 * @param atMillis Unix time of the reading
 * @param handshakes {@code wssguard_handshakes_total} by outcome
 * @param refusedAtAccept {@code wssguard_connections_refused_total} by reason
 * @param routes per route: open connections, messages and payload bytes each way
 * @param tlsHandshakes TLS handshakes completed and the seconds they took in all
 * @param admissions policy admissions timed and their seconds
 * @param inspection per direction ({@code client_to_backend}, {@code backend_to_client}): sampled
 *     reads' seconds in frame inspection and the messages they completed
 * @param backends each backend server's health
 */
public record MetricsSample(
    long atMillis,
    Map<String, Long> handshakes,
    Map<String, Long> refusedAtAccept,
    List<Route> routes,
    Timed tlsHandshakes,
    Timed admissions,
    Map<String, Timed> inspection,
    List<Backend> backends) {

  public MetricsSample {
    handshakes = Map.copyOf(handshakes);
    refusedAtAccept = Map.copyOf(refusedAtAccept);
    routes = List.copyOf(routes);
    inspection = Map.copyOf(inspection);
    backends = List.copyOf(backends);
  }

  /** Messages and payload bytes of a route, client→backend ({@code up}) and back ({@code down}). */
  public record Route(
      String route, int open, long messagesUp, long messagesDown, long bytesUp, long bytesDown) {}

  /** How many times something was timed, and the seconds it took in all. */
  public record Timed(long count, double seconds) {}

  /** A backend server and whether it is considered up now. */
  public record Backend(String group, String server, boolean up, long connections) {}
}
