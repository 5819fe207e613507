package io.wssguard.baseline;

/**
 * A figure of a route baseline that a threshold can be a multiple of: a quantile over every sample
 * of a {@link Measure} (abusers included), or what the typical source did (the median over sources
 * of each one's own p99 or largest sample, which a minority of abusive sources does not move).
 */
public enum Figure {
  P50("p50"),
  P90("p90"),
  P99("p99"),
  TYPICAL_P99("typicalP99"),
  TYPICAL_MAX("typicalMax");

  private final String id;

  Figure(String id) {
    this.id = id;
  }

  /** Its name in policy files, logs and metrics. */
  public String id() {
    return id;
  }

  /** The figure with this {@link #id()}, or null. */
  public static Figure ofId(String id) {
    for (Figure f : values()) {
      if (f.id.equals(id)) {
        return f;
      }
    }
    return null;
  }

  /** Its value for {@code m} in {@code b}; NaN when {@code b} has no samples for it. */
  public double of(RouteBaseline b, Measure m) {
    return switch (this) {
      case P50 -> b.all(m).quantile(0.5);
      case P90 -> b.all(m).quantile(0.9);
      case P99 -> b.all(m).quantile(0.99);
      case TYPICAL_P99 -> b.typical(m, RouteBaseline.PerSource.P99);
      case TYPICAL_MAX -> b.typical(m, RouteBaseline.PerSource.MAX);
    };
  }
}
