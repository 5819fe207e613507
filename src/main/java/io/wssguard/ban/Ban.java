package io.wssguard.ban;

import io.wssguard.net.Cidr;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Objects;

/**
 * One banned address or block.
 *
 * @param target the banned address ({@code /32}, {@code /128}) or block
 * @param until the ban ends at this instant (exclusive: at {@code until} the source is let in
 *     again)
 * @param reason why, one line, for people reading {@code wssguard ban list} and the logs
 * @param history short descriptions of the strikes that led here, oldest first
 * @param started when the ban began (an extension keeps it), or {@code null} when unknown: a ban
 *     journalled by a version that kept no start
 * @param by who made it, or its last extension ({@code strikes}, {@code admin API}, {@code
 *     console}, {@code fleet}, ...), or {@code null} when unknown (as {@code started})
 */
public record Ban(
    Cidr target, Instant until, String reason, List<String> history, Instant started, String by) {
  public Ban {
    Objects.requireNonNull(target, "target");
    Objects.requireNonNull(until, "until");
    Objects.requireNonNull(reason, "reason");
    history = List.copyOf(history);
    // To the millisecond, as the journal keeps it: a listing says the same before and after a
    // restart.
    started = started == null ? null : started.truncatedTo(ChronoUnit.MILLIS);
  }

  /** Whether the ban still holds at {@code now}. */
  public boolean activeAt(Instant now) {
    return until.isAfter(now);
  }
}
