package io.wssguard.quantity;

import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The one notation for durations ({@code 250ms}, {@code 5s}, {@code 2m}, {@code 1h}, {@code 7d},
 * {@code 2w}) and sizes ({@code 512}, {@code 64KiB}, {@code 1 MiB}) in config files, policies, the
 * CLI and the admin API, and for rates ({@code 20/s}, {@code 600/m}, {@code 8MiB/s}) in policies.
 * Units are required for durations so that {@code idle: 300} cannot silently mean milliseconds to
 * one reader and seconds to another. Sizes are binary (KiB = 1024 B) and a plain integer is bytes;
 * decimal {@code KB}, {@code MB}, {@code GB} and bare {@code k}, {@code M}, {@code G} are refused
 * with a hint ({@link #meantSize}), never guessed.
 */
public final class Quantities {
  public static final long KIB = 1024;
  public static final long MIB = 1024 * KIB;
  public static final long GIB = 1024 * MIB;

  /**
   * Longer than any sensible timeout, short enough that {@link Duration#toNanos()} can never
   * overflow.
   */
  public static final Duration MAX_TIMEOUT = Duration.ofHours(24);

  /** The longest ban that config, policies, the CLI or the admin API may ask for. */
  public static final Duration MAX_BAN = Duration.ofDays(365);

  private static final Pattern DURATION = Pattern.compile("([0-9]{1,9})(ms|s|m|h|d|w)");
  private static final Pattern SIZE = Pattern.compile("([0-9]{1,12}) ?(B|KiB|MiB|GiB)?");

  /** The size units, as messages name them. */
  public static final String SIZE_UNITS = "B, KiB, MiB or GiB";

  private static final List<String> BINARY_UNITS = List.of("KiB", "MiB", "GiB");

  /** A number and a unit that looks like k, M or G bytes but is not KiB, MiB or GiB. */
  private static final Pattern UNIT_TYPO =
      Pattern.compile("([0-9]{1,12}) ?(([kKmMgG])(?:[bB]|[iI][bB]?)?)(/[sm])?");

  private static final Pattern COUNT = Pattern.compile("[0-9]{1,12}");

  private Quantities() {}

  /** The duration, or {@code null} if the text is not one (range is the caller's business). */
  public static Duration parseDuration(String text) {
    Matcher m = DURATION.matcher(text);
    if (!m.matches()) {
      return null;
    }
    long n = Long.parseLong(m.group(1));
    return switch (m.group(2)) {
      case "ms" -> Duration.ofMillis(n);
      case "s" -> Duration.ofSeconds(n);
      case "m" -> Duration.ofMinutes(n);
      case "h" -> Duration.ofHours(n);
      case "d" -> Duration.ofDays(n);
      default -> Duration.ofDays(7 * n);
    };
  }

  /**
   * The duration {@code text} names, if it lies in {@code min..max}.
   *
   * @throws IllegalArgumentException whose message says what was expected, e.g. {@code expected:
   *     duration like 15m, 1 s..365 d}; callers put the offending text in front
   */
  public static Duration parseDuration(String text, Duration min, Duration max) {
    Duration d = parseDuration(text);
    if (d == null || d.compareTo(min) < 0 || d.compareTo(max) > 0) {
      throw new IllegalArgumentException("expected: " + durationRange(min, max));
    }
    return d;
  }

  /** How a duration range reads in messages: {@code duration like 5s, 1 s..24 h}. */
  public static String durationRange(Duration min, Duration max) {
    return "duration like 5s, " + spaced(formatDuration(min)) + ".." + spaced(formatDuration(max));
  }

  private static String spaced(String quantity) {
    return quantity.replaceAll("([0-9])([a-z])", "$1 $2");
  }

  /**
   * The size {@code text} names, if it lies in {@code min..max} bytes: every size field of the
   * config file, the policies and the CLI goes through here, each with its own range.
   *
   * @throws IllegalArgumentException whose message says what was expected, e.g. {@code expected:
   *     size in B, KiB, MiB or GiB like 64KiB, 1 B..2 GiB}, and for a decimal or misspelt unit
   *     ({@code 64KB}, {@code 1m}, {@code 8kib}) which binary size was probably meant; callers put
   *     the offending text in front
   */
  public static long parseSize(String text, long min, long max) {
    long bytes = parseSize(text);
    if (bytes < min || bytes > max) {
      throw new IllegalArgumentException(
          "expected: " + sizeRange(min, max) + meantSize(text).map(m -> "; " + m).orElse(""));
    }
    return bytes;
  }

  /**
   * How a size range reads in messages: {@code size in B, KiB, MiB or GiB like 64KiB, 1 B..2 GiB}.
   */
  public static String sizeRange(long min, long max) {
    return "size in " + SIZE_UNITS + " like 64KiB, " + formatSize(min) + ".." + formatSize(max);
  }

  /**
   * For a size or size rate written with a decimal or misspelt unit ({@code 64KB}, {@code 64 kb},
   * {@code 1M}, {@code 8kib}, {@code 8MB/s}), a hint naming the binary size probably meant: {@code
   * KB is not a unit here, did you mean 64KiB?}. Such units are refused rather than read as 1000 or
   * 1024: either guess would silently be wrong for some reader.
   */
  public static Optional<String> meantSize(String text) {
    Matcher m = UNIT_TYPO.matcher(text == null ? "" : text.strip());
    if (!m.matches() || BINARY_UNITS.contains(m.group(2))) {
      return Optional.empty();
    }
    String prefix = m.group(3).toUpperCase(Locale.ROOT);
    return Optional.of(
        m.group(2)
            + " is not a unit here (sizes are binary: KiB = 1024 B), did you mean "
            + m.group(1)
            + prefix
            + "iB"
            + (m.group(4) == null ? "" : m.group(4))
            + "?");
  }

  /** The size in bytes, or {@code -1} if the text is not one (range is the caller's business). */
  public static long parseSize(String text) {
    Matcher m = SIZE.matcher(text);
    if (!m.matches()) {
      return -1;
    }
    long n = Long.parseLong(m.group(1));
    String unit = m.group(2);
    long multiplier =
        unit == null || unit.equals("B")
            ? 1
            : unit.equals("KiB") ? KIB : unit.equals("MiB") ? MIB : GIB;
    // 12 digits times 2^30 can overflow a long (17179869185GiB would wrap to exactly 1 GiB).
    return n > Long.MAX_VALUE / multiplier ? -1 : n * multiplier;
  }

  /**
   * A rate, {@code 20/s} or {@code 600/m} (per second or per minute); with {@code sizes}, the count
   * is a size such as {@code 8MiB/s}. Returns units per second, or -1 if the text is not a rate
   * (range is the caller's business).
   */
  public static double parseRate(String text, boolean sizes) {
    int slash = text.lastIndexOf('/');
    if (slash < 0) {
      return -1;
    }
    String per = text.substring(slash + 1);
    String count = text.substring(0, slash);
    long n;
    if (sizes) {
      n = parseSize(count);
    } else {
      n = COUNT.matcher(count).matches() ? Long.parseLong(count) : -1;
    }
    if (n < 0 || !(per.equals("s") || per.equals("m"))) {
      return -1;
    }
    return per.equals("s") ? n : n / 60.0;
  }

  /** The shortest exact rendering, e.g. {@code 2 GiB}, {@code 1 KiB}, {@code 1500 B}. */
  public static String formatSize(long bytes) {
    if (bytes != 0 && bytes % GIB == 0) {
      return bytes / GIB + " GiB";
    } else if (bytes != 0 && bytes % MIB == 0) {
      return bytes / MIB + " MiB";
    } else if (bytes != 0 && bytes % KIB == 0) {
      return bytes / KIB + " KiB";
    }
    return bytes + " B";
  }

  /**
   * The shortest exact rendering in the config notation, e.g. {@code 250ms}, {@code 5s}, {@code
   * 2m}, {@code 7d}.
   */
  public static String formatDuration(Duration d) {
    long ms = d.toMillis();
    if (ms != 0 && ms % (7 * 86_400_000L) == 0) {
      return ms / (7 * 86_400_000L) + "w";
    } else if (ms != 0 && ms % 86_400_000L == 0) {
      return ms / 86_400_000L + "d";
    } else if (ms != 0 && ms % 3_600_000 == 0) {
      return ms / 3_600_000 + "h";
    } else if (ms != 0 && ms % 60_000 == 0) {
      return ms / 60_000 + "m";
    } else if (ms % 1000 == 0) {
      return ms / 1000 + "s";
    }
    return ms + "ms";
  }
}
