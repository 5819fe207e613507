package io.wssguard.observe;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One route's meters: its open connections, and the messages and payload bytes relayed each way.
 */
public final class RouteMeter {
  final String label;
  final AtomicInteger open = new AtomicInteger();
  final Counter opened;
  final Counter[] messages = new Counter[2];
  final Counter[] bytes = new Counter[2];

  RouteMeter(MeterRegistry registry, String label) {
    this.label = label;
    Gauge.builder("wssguard.connections.open", open, AtomicInteger::get)
        .description("Proxied WebSocket connections open now")
        .tag("route", label)
        .register(registry);
    opened = Counter.builder("wssguard.connections.opened").tag("route", label).register(registry);
    for (int i = 0; i < 2; i++) {
      String direction = Metrics.direction(i == 0);
      messages[i] =
          Counter.builder("wssguard.messages")
              .description(
                  "Complete data messages relayed (flushed at the relay's timer tick and at its end)")
              .tag("route", label)
              .tag("direction", direction)
              .register(registry);
      bytes[i] =
          Counter.builder("wssguard.payload.bytes")
              .description(
                  "WebSocket payload bytes relayed, all frames (flushed like wssguard_messages_total)")
              .tag("route", label)
              .tag("direction", direction)
              .register(registry);
    }
  }

  public String label() {
    return label;
  }

  public int openConnections() {
    return open.get();
  }
}
