package io.wssguard.ban;

import java.util.Objects;

/**
 * What a request to ban came to. Callers report a ban (the security log's {@code ban} event, the
 * admin API's 201) only when {@link #banned()}: a refused ban never reaches the log, so nothing
 * reading it (fail2ban, a SIEM) acts on a ban that did not happen.
 *
 * @param kind made, extended or refused
 * @param ban the ban as it now stands, or {@code null} when refused
 * @param refusal why it was refused (one line, for the log and the API), or {@code null}
 */
public record BanOutcome(Kind kind, Ban ban, String refusal) {
  /** Whether a ban now holds because of this request, and how. */
  public enum Kind {
    /** The target was not banned before. */
    MADE,
    /** The target was banned already: the later end wins, the history grows. */
    EXTENDED,
    /** Nothing was banned (the target overlaps a never-ban block). */
    REFUSED
  }

  public BanOutcome {
    Objects.requireNonNull(kind, "kind");
    if ((kind == Kind.REFUSED) != (ban == null) || (kind == Kind.REFUSED) != (refusal != null)) {
      throw new IllegalArgumentException(
          "a refused outcome has a refusal and no ban, others a ban");
    }
  }

  public static BanOutcome of(Ban ban, boolean extended) {
    return new BanOutcome(extended ? Kind.EXTENDED : Kind.MADE, ban, null);
  }

  public static BanOutcome refused(String why) {
    return new BanOutcome(Kind.REFUSED, null, why);
  }

  /** Whether the target is banned now because of this request (made or extended). */
  public boolean banned() {
    return kind != Kind.REFUSED;
  }
}
