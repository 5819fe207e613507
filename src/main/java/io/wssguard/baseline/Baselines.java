package io.wssguard.baseline;

import io.wssguard.fs.AtomicFile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/**
 * Every route's {@link RouteBaseline}, by route label, and their file: what a proxy learned,
 * persisted across restarts ({@link #write}, {@link #read}) in {@link BaselineFormat}. Only folded
 * figures are written; sources still being watched are not.
 */
public final class Baselines {
  private final Map<String, RouteBaseline> routes = new TreeMap<>();

  /** The baseline of {@code route}, made empty on first use. */
  public RouteBaseline route(String route) {
    return routes.computeIfAbsent(route, r -> new RouteBaseline());
  }

  /** Every route's baseline, by label, sorted. */
  public Map<String, RouteBaseline> routes() {
    return Collections.unmodifiableMap(routes);
  }

  /** Adds {@code other}'s folded figures to these, route by route. */
  public void merge(Baselines other) {
    other.routes.forEach((r, b) -> route(r).merge(b));
  }

  /** Replaces {@code file} whole (a crash leaves the old file or the new), mode 0640. */
  public void write(Path file) throws IOException {
    AtomicFile.write(
        file,
        BaselineFormat.encode(this),
        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-r-----")));
  }

  /**
   * Reads a file {@link #write} wrote.
   *
   * @throws IOException when it cannot be read, or is not a baseline file of a known version, or is
   *     damaged (the message names the file and what is wrong)
   */
  public static Baselines read(Path file) throws IOException {
    try {
      return BaselineFormat.decode(Files.readAllBytes(file));
    } catch (BaselineFormat.Malformed e) {
      throw new IOException(file + ": " + e.getMessage(), e);
    }
  }

  void put(String route, RouteBaseline baseline) {
    routes.put(route, baseline);
  }
}
