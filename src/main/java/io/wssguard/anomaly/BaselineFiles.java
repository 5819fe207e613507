package io.wssguard.anomaly;

import io.wssguard.baseline.Baselines;
import io.wssguard.fs.StateDirectory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.logging.Logger;

/**
 * The live baselines on disk, in the state directory (beside the ban journal, checked the same
 * way): {@value #REFERENCE} holds the last completed epoch, the one rules compare against, written
 * when an epoch ends; {@value #LEARNING} the epoch under way, written every few minutes and at
 * shutdown.
 *
 * <p>Epochs are aligned on multiples of their length since the Unix epoch, so a file's modification
 * time says which epoch it belongs to without a field for it: the learning file belongs to the
 * epoch it was written in, the reference file to the one before. At start, what belongs to the
 * current epoch continues, what belongs to the previous one is the reference, anything older has
 * aged out. A damaged file is logged, moved aside ({@code .damaged}) and not used; the proxy starts
 * with what is left.
 */
final class BaselineFiles {
  private static final Logger LOG = Logger.getLogger(BaselineFiles.class.getName());

  static final String REFERENCE = "baselines.wsgb";
  static final String LEARNING = "baselines-learning.wsgb";

  private final Path dir;

  private BaselineFiles(Path dir) {
    this.dir = dir;
  }

  /**
   * The files in {@code dir}, or null (logged) when the directory is unsafe or unusable: the proxy
   * then learns without saving.
   */
  static BaselineFiles in(Path dir) {
    try {
      StateDirectory.check(dir, "learnt baselines");
      return new BaselineFiles(dir);
    } catch (IOException e) {
      LOG.warning("baselines are not saved: " + e.getMessage());
      return null;
    }
  }

  Path reference() {
    return dir.resolve(REFERENCE);
  }

  Path learning() {
    return dir.resolve(LEARNING);
  }

  /** What was found at start: either may be empty. */
  record Loaded(Baselines reference, Baselines learning) {}

  Loaded load(long nowMs, long epochMs) {
    long epoch = Math.floorDiv(nowMs, epochMs);
    Baselines reference = new Baselines();
    Baselines learning = new Baselines();
    boolean referenceFound = false;
    Baselines l = read(learning());
    if (l != null) {
      long of = epochOf(learning(), nowMs, epochMs);
      if (of == epoch) {
        learning = l;
      } else if (of == epoch - 1) {
        reference = l; // the epoch under way when the proxy stopped has ended since
        referenceFound = true;
      } else {
        LOG.info(learning() + ": learnt more than one epoch ago, aged out");
      }
    }
    Baselines r = referenceFound ? null : read(reference());
    if (r != null) {
      if (epochOf(reference(), nowMs, epochMs) == epoch) {
        reference = r;
      } else {
        LOG.info(reference() + ": learnt more than one epoch ago, aged out");
      }
    }
    return new Loaded(reference, learning);
  }

  /** The epoch a file was last written in; a time after {@code nowMs} counts as now. */
  private static long epochOf(Path file, long nowMs, long epochMs) {
    try {
      long written = Files.getLastModifiedTime(file).toMillis();
      return Math.floorDiv(Math.min(written, nowMs), epochMs);
    } catch (IOException e) {
      return Long.MIN_VALUE;
    }
  }

  /** The file's baselines, null when it is missing or (logged, moved aside) unusable. */
  private static Baselines read(Path file) {
    try {
      return Baselines.read(file);
    } catch (NoSuchFileException e) {
      return null;
    } catch (IOException e) {
      Path aside = file.resolveSibling(file.getFileName() + ".damaged");
      String moved;
      try {
        Files.move(file, aside, StandardCopyOption.REPLACE_EXISTING);
        moved = "moved to " + aside;
      } catch (IOException m) {
        moved = "could not be moved aside: " + m.getMessage();
      }
      LOG.warning(
          "baseline file unusable, starting without it: " + e.getMessage() + " (" + moved + ")");
      return null;
    }
  }

  void saveReference(Baselines b) {
    save(reference(), b);
  }

  void saveLearning(Baselines b) {
    save(learning(), b);
  }

  private static void save(Path file, Baselines b) {
    try {
      b.write(file);
    } catch (IOException | RuntimeException e) {
      LOG.warning("cannot save baselines to " + file + ": " + e);
    }
  }
}
