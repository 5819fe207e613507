package io.wssguard.replay;

import io.wssguard.baseline.Measure;
import io.wssguard.baseline.RouteBaseline;
import io.wssguard.baseline.RouteBaseline.PerSource;
import io.wssguard.quantity.Quantities;
import java.math.BigDecimal;
import java.math.RoundingMode;

/**
 * {@code wssguard policy suggest}: a policy file whose limits sit a stated margin above what the
 * typical source of a learned {@link RouteBaseline} did, each with a comment giving the figure it
 * came from.
 *
 * <p>The figure is per source, never the global tail: for a rate, each source's own p99 (its
 * busiest second for a burst), for a maximum each source's largest; then the median over sources. A
 * minority of abusive sources (up to half, in principle; the lab is built for 10%) moves the global
 * p99 but not the median source, so the suggestion falls between the legitimate population and the
 * abusers. Rates are rounded up to whole units per second (per minute below 1/s), message sizes up
 * to a power of two of at least 1 KiB (sizes vary more than rates). The same baseline and margin
 * give the same bytes.
 */
public final class PolicySuggestion {
  /** Message sizes are never suggested below this. */
  static final long MIN_MESSAGE_BYTES = 1024;

  private static final long MAX_COUNT = 1_000_000;

  private PolicySuggestion() {}

  /**
   * The policy file text.
   *
   * @param name the policy's name
   * @param margin how far above the typical source each limit sits (a factor, at least 1)
   * @param from the recording it was learned from, for the header
   */
  public static String yaml(
      RecordedBaseline.Learned learned, String name, double margin, String from) {
    RouteBaseline b = learned.baseline();
    RouteBaseline.Coverage c = b.coverage();
    String x = "x" + figure(margin) + " margin";
    StringBuilder y = new StringBuilder();
    y.append("# Suggested by wssguard policy suggest from the recording in ")
        .append(from)
        .append(
            learned.routes().isEmpty()
                ? ""
                : " (" + plural(learned.routes().size(), "route") + ": ")
        .append(String.join(", ", learned.routes()))
        .append(learned.routes().isEmpty() ? "" : ")")
        .append(":\n#   ")
        .append(plural(c.connections(), "connection"))
        .append(" from ")
        .append(plural(c.sources(), "source"))
        .append(", ")
        .append(plural(learned.traffic().records(), "record"))
        .append(" in ")
        .append(plural(learned.traffic().files(), "file"))
        .append(".\n");
    if (!c.enough()) {
      y.append("# CAUTION: too little traffic for figures to be trusted (at least ")
          .append(RouteBaseline.MIN_SOURCES)
          .append(" sources and ")
          .append(RouteBaseline.MIN_CONNECTIONS)
          .append(" connections wanted).\n");
    }
    y.append(
        """
        # Each limit sits at a margin above what the typical source did: the median over sources of
        # each source's own p99 (rates) or largest figure (bursts, sizes, open connections), so that a
        # minority of abusive sources does not raise it. Edit, then try it on the same recording:
        #   wssguard policy replay --traffic DIR --policy THIS_FILE --against CURRENT_FILE
        # Not learned: handshake rules, access, per-IP message and byte rates (see the default policy).
        policies:
        """);
    y.append("  ").append(name).append(":\n");
    y.append("    mode: enforce\n");

    y.append("    perIp:\n");
    Rate handshakes = rate(b, Measure.HANDSHAKE_RATE, margin);
    if (handshakes == null) {
      y.append("      # handshakes: none recorded, no rate suggested\n");
    } else {
      y.append("      # rate: ")
          .append(figureLine(b, Measure.HANDSHAKE_RATE, PerSource.P99, "p99", "handshakes/s", x))
          .append("      # burst: ")
          .append(
              figureLine(
                  b, Measure.HANDSHAKE_RATE, PerSource.MAX, "busiest second", "handshakes", x))
          .append("      handshakes: {rate: ")
          .append(handshakes.text())
          .append(", burst: ")
          .append(handshakes.burst())
          .append(", action: reject, strike: true}\n");
    }
    double connections = b.typical(Measure.CONNECTIONS, PerSource.MAX);
    if (Double.isNaN(connections)) {
      y.append("      # connections: none recorded, no maximum suggested\n");
    } else {
      y.append("      # ")
          .append(
              figureLine(
                  b, Measure.CONNECTIONS, PerSource.MAX, "most connections open at once", "", x))
          .append("      connections: {max: ")
          .append(count(connections * margin))
          .append(", action: reject, strike: true}\n");
    }

    y.append("    perConnection:\n");
    Rate messages = rate(b, Measure.MESSAGE_RATE, margin);
    if (messages == null) {
      y.append("      # messages: none recorded from clients, no rate suggested\n");
    } else {
      y.append("      # rate: ")
          .append(
              figureLine(b, Measure.MESSAGE_RATE, PerSource.P99, "p99", "msg/s per connection", x))
          .append("      # burst: ")
          .append(
              figureLine(b, Measure.MESSAGE_RATE, PerSource.MAX, "busiest second", "messages", x))
          .append("      messages: {rate: ")
          .append(messages.text())
          .append(", burst: ")
          .append(messages.burst())
          .append(", action: close, strike: true}\n");
    }
    double largest = b.typical(Measure.MESSAGE_BYTES, PerSource.MAX);
    if (Double.isNaN(largest)) {
      y.append(
          "      # maxMessageBytes: no messages recorded from clients, no maximum suggested\n");
    } else {
      y.append("      # ")
          .append(
              figureLine(b, Measure.MESSAGE_BYTES, PerSource.MAX, "largest message", "bytes", x))
          .append("      #   rounded up to a power of two, at least 1KiB\n")
          .append("      maxMessageBytes: {max: ")
          .append(size(largest * margin))
          .append(", action: close, strike: true}\n");
    }
    y.append(
        "    # As the default policy: five strikes in ten minutes ban a source for 15 minutes.\n");
    y.append("    strikes: {max: 5, window: 10m, ban: 15m}\n");
    return y.toString();
  }

  /** A suggested rate: per second, or per minute below one a second; and its burst. */
  private record Rate(long count, boolean perMinute, long burst) {
    String text() {
      return count + (perMinute ? "/m" : "/s");
    }
  }

  private static Rate rate(RouteBaseline b, Measure m, double margin) {
    double p99 = b.typical(m, PerSource.P99);
    double busiest = b.typical(m, PerSource.MAX);
    if (Double.isNaN(p99)) {
      return null;
    }
    double perSecond = p99 * margin;
    boolean perMinute = perSecond < 1;
    long count = perMinute ? count(perSecond * 60) : count(perSecond);
    long oneSecond = perMinute ? 1 : count;
    // The parser wants a burst of at least one second's worth.
    long burst = Math.max(oneSecond, count(busiest * margin));
    return new Rate(count, perMinute, burst);
  }

  /**
   * {@code typical source's p99 5 msg/s over 22 sources (highest 150); x2 margin}, with a newline.
   */
  private static String figureLine(
      RouteBaseline b, Measure m, PerSource which, String what, String unit, String margin) {
    return "typical source's "
        + what
        + ": "
        + figure(b.typical(m, which))
        + (unit.isEmpty() ? "" : " " + unit)
        + " over "
        + plural(b.perSource(m, which).count(), "source")
        + " (highest "
        + figure(b.perSource(m, which).max())
        + "); "
        + margin
        + "\n";
  }

  private static long count(double v) {
    return Math.max(1, Math.min(MAX_COUNT, (long) Math.ceil(v - 1e-9)));
  }

  private static String size(double bytes) {
    long b = MIN_MESSAGE_BYTES;
    while (b < bytes && b < 2 * Quantities.GIB) {
      b *= 2;
    }
    if (b % Quantities.GIB == 0) {
      return b / Quantities.GIB + "GiB";
    }
    return b % Quantities.MIB == 0 ? b / Quantities.MIB + "MiB" : b / Quantities.KIB + "KiB";
  }

  /** A figure for people: at most two decimals, no trailing zeros. */
  static String figure(double v) {
    return BigDecimal.valueOf(v)
        .setScale(2, RoundingMode.HALF_UP)
        .stripTrailingZeros()
        .toPlainString();
  }

  private static String plural(long n, String noun) {
    return n + " " + noun + (n == 1 ? "" : "s");
  }
}
