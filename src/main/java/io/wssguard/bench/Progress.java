package io.wssguard.bench;

import java.io.PrintStream;
import java.util.Locale;

/**
 * A one-line progress bar on stderr, redrawn in place; silent when stderr is not a terminal or with
 * --quiet.
 */
final class Progress {
  private static final int WIDTH = 30;

  private final PrintStream err;
  private final boolean on;
  private final int targets;
  private int index;
  private long lastDraw;

  Progress(PrintStream err, boolean on, int targets) {
    this.err = err;
    this.on = on;
    this.targets = targets;
  }

  void next() {
    index++;
  }

  void connecting(Target t, int open, int total) {
    draw(
        String.format(
            Locale.ROOT, "[%d/%d] %-13s connecting %d/%d", index, targets, t.id, open, total));
  }

  void running(Target t, double fraction, boolean measuring, double rate) {
    int filled = (int) Math.max(0, Math.min(WIDTH, Math.round(fraction * WIDTH)));
    draw(
        String.format(
            Locale.ROOT,
            "[%d/%d] %-13s [%s%s] %3.0f%% %s %8.0f msg/s",
            index,
            targets,
            t.id,
            "#".repeat(filled),
            "-".repeat(WIDTH - filled),
            Math.max(0, Math.min(1, fraction)) * 100,
            measuring ? "measuring" : "warm-up  ",
            rate));
  }

  void clear() {
    if (on) {
      err.print("\r" + " ".repeat(100) + "\r");
      err.flush();
    }
  }

  private void draw(String line) {
    long now = System.nanoTime();
    if (!on || now - lastDraw < 100_000_000L) {
      return;
    }
    lastDraw = now;
    err.print("\r" + line + " ".repeat(Math.max(0, 98 - line.length())));
    err.flush();
  }
}
