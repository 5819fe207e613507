package io.wssguard.observe;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * When and by whom the bans made in this process started, for listings (the journal keeps a ban's
 * end and reason, not its start). Noted at each {@code ban} event, a rare path; bounded, oldest
 * notes first out. A ban older than the process, or pushed out, has no note.
 */
public final class BanNotes {
  /** When a ban started and who made it ({@code strikes}, {@code admin}, {@code console}, ...). */
  public record Note(Instant started, String by, Instant until) {}

  static final int MAX = 10_000;

  private final Map<String, Note> notes =
      new LinkedHashMap<>() {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Note> eldest) {
          return size() > MAX;
        }
      };

  /**
   * A ban of {@code target} for {@code duration} from {@code now}: a new ban starts now; one that
   * extends a ban still running keeps its start.
   */
  synchronized void banned(String target, String by, Instant now, Duration duration) {
    Note old = notes.get(target);
    Instant until = now.plus(duration);
    if (old != null && old.until().isAfter(now)) {
      notes.put(
          target, new Note(old.started(), by, until.isAfter(old.until()) ? until : old.until()));
    } else {
      notes.put(target, new Note(now, by, until));
    }
  }

  /** Says who made the ban on {@code target} more precisely than the event did. */
  public synchronized void madeBy(String target, String by) {
    Note old = notes.get(target);
    if (old != null) {
      notes.put(target, new Note(old.started(), by, old.until()));
    }
  }

  synchronized void unbanned(String target) {
    notes.remove(target);
  }

  /** The note on {@code target}, or null. */
  public synchronized Note of(String target) {
    return notes.get(target);
  }
}
