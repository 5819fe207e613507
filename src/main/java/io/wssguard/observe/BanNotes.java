package io.wssguard.observe;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Who made the bans made in this process, for listings (the journal keeps a ban's start, end and
 * reason, not who made it). Noted at each {@code ban} event, a rare path; bounded, oldest notes
 * first out. A ban older than the process, or pushed out, has no note.
 */
public final class BanNotes {
  static final int MAX = 10_000;

  private final Map<String, String> madeBy =
      new LinkedHashMap<>() {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, String> eldest) {
          return size() > MAX;
        }
      };

  /** A ban (or an extension) of {@code target} by {@code by}: the latest one names it. */
  synchronized void banned(String target, String by) {
    madeBy.remove(target); // re-inserted: the newest note is the last one pushed out
    madeBy.put(target, by);
  }

  /** Says who made the ban on {@code target} more precisely than the event did. */
  public synchronized void madeBy(String target, String by) {
    madeBy.replace(target, by);
  }

  synchronized void unbanned(String target) {
    madeBy.remove(target);
  }

  /**
   * Who made the ban on {@code target} ({@code strikes}, {@code admin API}, {@code console}, ...),
   * or null.
   */
  public synchronized String by(String target) {
    return madeBy.get(target);
  }
}
