package io.wssguard.admin;

import io.wssguard.net.Cidr;
import io.wssguard.observe.FlatJson;
import io.wssguard.quantity.Quantities;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * The body of {@code POST /bans}, read and checked apart from the exchange so that it can be fuzzed
 * on its own (BanRequestFuzzTest): whatever the bytes, the answer is a request or an {@link
 * IllegalArgumentException} whose message is the 400 answer's error.
 */
record BanRequest(Cidr target, Duration duration, String reason) {
  private static final List<String> KEYS = List.of("target", "for", "reason");

  /**
   * @throws IllegalArgumentException saying what is wrong with the body
   */
  static BanRequest parse(String body) {
    Map<String, String> fields = FlatJson.parse(body);
    for (String key : fields.keySet()) {
      if (!KEYS.contains(key)) {
        throw new IllegalArgumentException(
            "unknown key '" + key + "' (expected one of: target, for, reason)");
      }
    }
    String targetText = fields.getOrDefault("target", "");
    Cidr target;
    try {
      target = Cidr.parse(targetText);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "target: '" + targetText + "' (" + e.getMessage() + ")", e);
    }
    String forText = fields.getOrDefault("for", "");
    Duration duration;
    try {
      duration = Quantities.parseDuration(forText, Duration.ofSeconds(1), Quantities.MAX_BAN);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("for: '" + forText + "' (" + e.getMessage() + ")", e);
    }
    return new BanRequest(
        target, duration, fields.getOrDefault("reason", "banned through the admin API"));
  }
}
