package io.wssguard.quantity;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The one notation for durations ({@code 250ms}, {@code 5s}, {@code 2m}, {@code 1h}, {@code 7d},
 * {@code 2w}) in config files, policies, the CLI and the admin API; and the size ({@code 512},
 * {@code 64KiB}, {@code 1 MiB}) and rate ({@code 20/s}, {@code 600/m}, {@code 8MiB/s}) notations of
 * config and policy files. Units are required for durations so that {@code idle: 300} cannot
 * silently mean milliseconds to one reader and seconds to another; sizes are binary (KiB = 1024 B).
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
    return n * multiplier; // at most 12 digits times 2^30: no overflow
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
