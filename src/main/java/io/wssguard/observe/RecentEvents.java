package io.wssguard.observe;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * The last security events as the JSON lines the log wrote, numbered, for the console's event view.
 * A fixed ring that writers never wait on: a slot is claimed with one atomic increment and
 * overwritten when the ring comes round, so a flood of events costs a reference store each and
 * memory stays bounded. A reader asks for what came after the last number it saw; lines already
 * overwritten are simply gone.
 */
public final class RecentEvents {
  /** One event: its number (from 1) and its JSON line. */
  public record Line(long seq, String json) {}

  private final AtomicReferenceArray<Line> ring;
  private final AtomicLong last = new AtomicLong();

  public RecentEvents(int capacity) {
    this.ring = new AtomicReferenceArray<>(capacity);
  }

  void add(String json) {
    long seq = last.incrementAndGet();
    ring.set((int) (seq % ring.length()), new Line(seq, json));
  }

  /** The number of the newest event, 0 before any. */
  public long last() {
    return last.get();
  }

  /** The events after number {@code after} still held, oldest first, at most {@code max}. */
  public List<Line> after(long after, int max) {
    long newest = last.get();
    long from = Math.max(after + 1, Math.max(1, newest - ring.length() + 1));
    from = Math.max(from, newest - max + 1);
    List<Line> lines = new ArrayList<>();
    for (long seq = from; seq <= newest; seq++) {
      Line l = ring.get((int) (seq % ring.length()));
      // A slot claimed but not yet written, or already overwritten by a later event, is skipped.
      if (l != null && l.seq() == seq) {
        lines.add(l);
      }
    }
    return lines;
  }
}
