package io.wssguard.fleet;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.wssguard.net.Cidr;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.Objects;

/**
 * One change to the fleet's bans, as it travels through Redis: a ban (its target, end, reason and
 * the node that made it) or the lifting of one. The same JSON object is a value of the bans hash (a
 * ban) or of the lifted hash (an unban), and a message on the changes channel; {@link NoticeReader}
 * reads it back, as untrusted input.
 *
 * @param kind a ban or an unban
 * @param target the banned block, in full CIDR form
 * @param until when the ban ends; for an unban, until when the fleet keeps its record (the lifted
 *     ban's end), or {@code null} where it travels without one
 * @param reason why, one line; {@code null} for an unban
 * @param origin the node that made the change
 */
record BanNotice(Kind kind, Cidr target, Instant until, String reason, String origin) {
  enum Kind {
    BAN,
    UNBAN
  }

  private static final JsonFactory JSON = new JsonFactory();

  BanNotice {
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(target, "target");
    Objects.requireNonNull(origin, "origin");
    if (kind == Kind.BAN ? until == null || reason == null : reason != null) {
      throw new IllegalArgumentException("a ban has an end and a reason, an unban no reason");
    }
  }

  static BanNotice ban(Cidr target, Instant until, String reason, String origin) {
    return new BanNotice(Kind.BAN, target, until, reason, origin);
  }

  static BanNotice unban(Cidr target, String origin) {
    return new BanNotice(Kind.UNBAN, target, null, null, origin);
  }

  /** An unban whose record the fleet keeps until {@code until}. */
  static BanNotice unban(Cidr target, Instant until, String origin) {
    return new BanNotice(Kind.UNBAN, target, until, null, origin);
  }

  /** The hash field this ban is stored under: the target in full CIDR form. */
  String field() {
    return target.toString();
  }

  /**
   * The message for the changes channel: {@link #json}, but an unban without its {@code until}, as
   * nodes that keep no record of unbans read it.
   */
  String message() {
    return kind == Kind.UNBAN && until != null ? unban(target, origin).json() : json();
  }

  /** {@code {"op":"ban","target":...,"until":...,"reason":...,"origin":...}}. */
  String json() {
    StringWriter out = new StringWriter();
    try (JsonGenerator g = JSON.createGenerator(out)) {
      g.writeStartObject();
      g.writeStringField("op", kind == Kind.BAN ? "ban" : "unban");
      g.writeStringField("target", target.toString());
      if (until != null) {
        g.writeStringField("until", until.toString());
      }
      if (reason != null) {
        g.writeStringField("reason", reason);
      }
      g.writeStringField("origin", origin);
      g.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e); // a StringWriter does not fail
    }
    return out.toString();
  }
}
