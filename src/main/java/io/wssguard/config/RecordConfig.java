package io.wssguard.config;

import io.wssguard.quantity.Quantities;
import java.nio.file.Path;

/**
 * Traffic recording ({@code record}), for {@code wssguard policy replay}: the metadata of
 * handshakes, frames and connection ends (never payload) written to rotating files.
 *
 * @param dir where the files go (relative to the config file)
 * @param maxBytes the most the files may take together; the oldest go first
 * @param sample the share of connections recorded, 0 < sample <= 1
 */
public record RecordConfig(Path dir, long maxBytes, double sample) {
  public static final long DEFAULT_MAX_BYTES = Quantities.GIB;
  public static final long MIN_MAX_BYTES = Quantities.MIB;
  public static final long MAX_MAX_BYTES = 1024 * Quantities.GIB;

  public RecordConfig {
    if (maxBytes < MIN_MAX_BYTES || !(sample > 0 && sample <= 1)) {
      throw new IllegalArgumentException("record: maxBytes " + maxBytes + ", sample " + sample);
    }
  }

  /** As written in the config, for messages. */
  @Override
  public String toString() {
    return "{dir: "
        + dir
        + ", maxBytes: "
        + Quantities.formatSize(maxBytes)
        + ", sample: "
        + sample
        + "}";
  }
}
