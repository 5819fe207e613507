package io.wssguard.baseline;

import com.tdunning.math.stats.MergingDigest;
import java.nio.ByteBuffer;

/**
 * Observed values of one kind, as a t-digest ({@code com.tdunning:t-digest}'s {@link
 * MergingDigest}): quantiles within a fraction of a percent at the tails, in a few kilobytes
 * whatever the count, mergeable (nodes, restarts) and serialisable.
 *
 * <p>Adding the same values in the same order gives the same quantiles: the digest's sort picks
 * random pivots, but values of equal weight are interchangeable, so the result does not depend on
 * them. Not thread-safe.
 */
public final class Distribution {
  /** For a route's distributions: 24 KB each, tails to a fraction of a percent. */
  private static final double ROUTE_COMPRESSION = 100;

  /**
   * For one source's own: a source's p99 needs no more (within half a percent of the range), and
   * there may be thousands of them; with a short buffer 4 KB each.
   */
  private static final double SOURCE_COMPRESSION = 20;

  private static final int SOURCE_BUFFER = 40;

  /** The digest's small encoding (its {@code SMALL_ENCODING}), the only one read back. */
  private static final int SMALL_ENCODING = 2;

  private final MergingDigest digest;

  /** An empty distribution for a route's figures. */
  static Distribution forRoute() {
    return new Distribution(new MergingDigest(ROUTE_COMPRESSION));
  }

  /** An empty distribution for one source's own samples. */
  static Distribution forSource() {
    return new Distribution(new MergingDigest(SOURCE_COMPRESSION, SOURCE_BUFFER, -1));
  }

  private Distribution(MergingDigest digest) {
    this.digest = digest;
  }

  void add(double value) {
    digest.add(value);
  }

  void merge(Distribution other) {
    if (other.count() > 0) {
      digest.add(other.digest);
    }
  }

  /** How many values were added. */
  public long count() {
    return digest.size();
  }

  /** The value below which a share {@code q} (0..1) of the values lie; NaN when empty. */
  public double quantile(double q) {
    return count() == 0 ? Double.NaN : digest.quantile(q);
  }

  /** The largest value; NaN when empty. */
  public double max() {
    return count() == 0 ? Double.NaN : digest.getMax();
  }

  /** The smallest value; NaN when empty. */
  public double min() {
    return count() == 0 ? Double.NaN : digest.getMin();
  }

  int encodedBytes() {
    digest.compress();
    return digest.smallByteSize();
  }

  void encode(ByteBuffer out) {
    digest.compress();
    digest.asSmallBytes(out);
  }

  /**
   * Reads what {@link #encode} wrote, {@code bytes} long. The digest's own reader trusts its input
   * (a compression read from the file sizes its arrays), so the header is checked first.
   */
  static Distribution decode(ByteBuffer in, int bytes) throws BaselineFormat.Malformed {
    // small encoding: i32 encoding, f64 min, f64 max, f32 compression, i16 size, i16 buffer, ...
    if (bytes < 28 || in.remaining() < bytes) {
      throw new BaselineFormat.Malformed("digest of " + bytes + " bytes");
    }
    int at = in.position();
    if (in.getInt(at) != SMALL_ENCODING) {
      throw new BaselineFormat.Malformed("digest encoding " + in.getInt(at));
    }
    float compression = in.getFloat(at + 20);
    if (!(compression >= 10 && compression <= 1000)) {
      throw new BaselineFormat.Malformed("digest compression " + compression);
    }
    ByteBuffer slice = in.slice(at, bytes);
    MergingDigest d;
    try {
      d = MergingDigest.fromBytes(slice);
    } catch (RuntimeException e) {
      throw new BaselineFormat.Malformed("digest: " + e);
    }
    in.position(at + bytes);
    return new Distribution(d);
  }
}
