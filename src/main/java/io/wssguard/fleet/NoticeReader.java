package io.wssguard.fleet;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import io.wssguard.config.AdminConfig;
import io.wssguard.config.ClusterConfig;
import io.wssguard.net.Cidr;
import io.wssguard.quantity.Quantities;
import java.io.IOException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads what other nodes wrote to Redis as untrusted input, with the rules the admin API applies to
 * a ban by hand: a node that is compromised, or a Redis that anyone else can write to, must not be
 * able to make this node ban every address, a block wider than {@code admin.widestBan}, or for
 * longer than a ban by hand may last. (Never-ban blocks are refused further on, by the {@code Bans}
 * the notice is applied to, as for any ban.) Strict like the admin API's body: one JSON object of
 * known string keys, each once, nothing after it, at most {@link #MAX_BYTES}.
 */
final class NoticeReader {
  /** Far above a real notice (about 200 bytes with a full-length reason). */
  static final int MAX_BYTES = 1024;

  /** The longest reason taken, as the admin API's. */
  static final int MAX_REASON = 200;

  private static final List<String> KEYS = List.of("op", "target", "until", "reason", "origin");

  private static final JsonFactory JSON =
      JsonFactory.builder()
          .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
          .streamReadConstraints(
              StreamReadConstraints.builder().maxNestingDepth(2).maxStringLength(512).build())
          .build();

  /** A notice this node will not act on; the message says why, for the log. */
  static final class Refused extends Exception {
    private static final long serialVersionUID = 1L;

    Refused(String message) {
      super(message);
    }
  }

  private final AdminConfig.WidestBan widest;

  NoticeReader(AdminConfig.WidestBan widest) {
    this.widest = widest;
  }

  /**
   * The notice in {@code text}, checked at {@code now}. A ban that has ended is returned as it is
   * (the caller skips it); one that ends later than a ban by hand may last is refused.
   */
  BanNotice read(String text, Instant now) throws Refused {
    if (text.length() > MAX_BYTES) {
      throw new Refused(text.length() + " characters (expected: at most " + MAX_BYTES + ")");
    }
    Map<String, String> values = new HashMap<>();
    try (JsonParser p = JSON.createParser(text)) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        throw new Refused("not a JSON object");
      }
      JsonToken t;
      while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
        String key = p.currentName();
        if (!KEYS.contains(key)) {
          throw new Refused("unknown key '" + clip(key) + "'");
        }
        if (p.nextToken() != JsonToken.VALUE_STRING) {
          throw new Refused(key + ": not a string");
        }
        values.put(key, p.getText());
      }
      if (t != JsonToken.END_OBJECT || p.nextToken() != null) {
        throw new Refused("not one JSON object");
      }
    } catch (JsonProcessingException e) {
      String what = e.getOriginalMessage() == null ? "" : e.getOriginalMessage();
      int detail = what.indexOf(" (");
      throw new Refused(
          "not valid JSON: "
              + clip(detail < 0 ? what : what.substring(0, detail))
              + (e.getLocation() == null ? "" : " at column " + e.getLocation().getColumnNr()));
    } catch (IOException e) {
      throw new Refused("unreadable: " + clip(e.getMessage()));
    }
    String op = required(values, "op");
    Cidr target = target(required(values, "target"));
    String origin = required(values, "origin");
    if (!ClusterConfig.NODE.matcher(origin).matches()) {
      throw new Refused("origin: '" + clip(origin) + "' (expected: a node name, [a-z0-9-]+)");
    }
    if (!op.equals("ban") && !op.equals("unban")) {
      throw new Refused("op: '" + clip(op) + "' (expected: ban or unban)");
    }
    Instant until = op.equals("ban") || values.containsKey("until") ? until(values, now) : null;
    if (op.equals("unban")) {
      if (values.containsKey("reason")) {
        throw new Refused("an unban with a reason");
      }
      return BanNotice.unban(target, until, origin);
    }
    String reason = required(values, "reason");
    if (reason.isBlank()
        || reason.length() > MAX_REASON
        // Every control character, C1 included (0x9B is a terminal's CSI): the reason reaches logs.
        || reason.chars().anyMatch(Character::isISOControl)) {
      throw new Refused(
          "reason: "
              + reason.length()
              + " characters (expected: 1.."
              + MAX_REASON
              + ", one line without control characters, not blank)");
    }
    return BanNotice.ban(target, until, reason, origin);
  }

  /** When a ban ends (or an unban's record goes): an instant no later than the longest ban. */
  private static Instant until(Map<String, String> values, Instant now) throws Refused {
    Instant until;
    try {
      until = Instant.parse(required(values, "until"));
    } catch (DateTimeParseException e) {
      throw new Refused("until: '" + clip(values.get("until")) + "' (expected: an ISO instant)");
    }
    if (until.isAfter(now.plus(Quantities.MAX_BAN).plusSeconds(60))) {
      throw new Refused(
          "until: "
              + until
              + " (expected: at most "
              + Quantities.MAX_BAN.toDays()
              + " days from now, the longest ban)");
    }
    return until;
  }

  private Cidr target(String text) throws Refused {
    Cidr target;
    try {
      target = Cidr.parse(text);
    } catch (IllegalArgumentException e) {
      throw new Refused("target: '" + clip(text) + "' (" + e.getMessage() + ")");
    }
    if (!target.toString().equals(text)) {
      // One spelling per block, so the hash cannot hold the same ban twice under two names.
      throw new Refused("target: '" + clip(text) + "' (expected: " + target + ")");
    }
    var tooWide = widest.refusal(target);
    if (tooWide.isPresent()) {
      throw new Refused(tooWide.get());
    }
    return target;
  }

  private static String required(Map<String, String> values, String key) throws Refused {
    String value = values.get(key);
    if (value == null) {
      throw new Refused("missing key '" + key + "'");
    }
    return value;
  }

  /** Text from the store echoed in a log line: short, control characters shown as '?'. */
  static String clip(String text) {
    if (text == null) {
      return "";
    }
    String cut = text.length() <= 80 ? text : text.substring(0, 80) + "...";
    return cut.replaceAll("\\p{Cc}", "?");
  }
}
