package io.wssguard.admin;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The body of {@code POST /bans}: one JSON object of strings, {@code target} and {@code for}
 * required, {@code reason} optional. Read with Jackson's streaming parser, strictly: any other
 * shape (unknown or repeated key, a value that is not a string, anything after the object, invalid
 * JSON) is refused with a message saying what and where, which the API answers with 400.
 */
record BanRequest(String target, String duration, String reason) {
  static final List<String> KEYS = List.of("target", "for", "reason");

  /** Longest reason kept: it goes into the log, the journal and every ban listing. */
  static final int MAX_REASON = 200;

  private static final JsonFactory JSON =
      JsonFactory.builder()
          .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
          .streamReadConstraints(
              StreamReadConstraints.builder().maxNestingDepth(8).maxStringLength(1024).build())
          .build();

  /** A body the API refuses; the message is the whole answer. */
  static final class Invalid extends Exception {
    private static final long serialVersionUID = 1L;

    Invalid(String message) {
      super(message);
    }
  }

  static BanRequest parse(byte[] body) throws Invalid {
    Map<String, String> values = new LinkedHashMap<>();
    try (JsonParser p = JSON.createParser(body)) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        throw new Invalid("body: expected a JSON object like " + example() + at(p));
      }
      JsonToken t;
      while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
        String key = p.currentName();
        if (!KEYS.contains(key)) {
          throw new Invalid(
              "body: unknown key '" + key + "' (expected one of: " + String.join(", ", KEYS) + ")");
        }
        JsonToken value = p.nextToken();
        if (value != JsonToken.VALUE_STRING) {
          throw new Invalid(
              "body: " + key + ": " + describe(value) + " (expected: a string)" + at(p));
        }
        values.put(key, p.getText());
      }
      if (t != JsonToken.END_OBJECT) {
        throw new Invalid("body: expected a key or '}'" + at(p));
      }
      if (p.nextToken() != null) {
        throw new Invalid("body: content after the JSON object" + at(p));
      }
    } catch (JsonProcessingException e) {
      throw new Invalid("body: not valid JSON: " + e.getOriginalMessage() + at(e.getLocation()));
    } catch (IOException e) {
      throw new Invalid("body: unreadable: " + e.getMessage());
    }
    for (String required : List.of("target", "for")) {
      if (!values.containsKey(required)) {
        throw new Invalid("body: missing key '" + required + "' (example: " + example() + ")");
      }
    }
    String reason = values.getOrDefault("reason", "banned through the admin API");
    if (reason.length() > MAX_REASON || reason.isBlank()) {
      throw new Invalid(
          "body: reason: "
              + reason.length()
              + " characters (expected: 1.."
              + MAX_REASON
              + ", not blank)");
    }
    return new BanRequest(values.get("target"), values.get("for"), reason);
  }

  private static String example() {
    return "{\"target\":\"203.0.113.7\",\"for\":\"15m\",\"reason\":\"...\"}";
  }

  private static String describe(JsonToken t) {
    if (t == null) {
      return "end of input";
    }
    return switch (t) {
      case START_OBJECT -> "an object";
      case START_ARRAY -> "an array";
      case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> "a number";
      case VALUE_TRUE, VALUE_FALSE -> "a boolean";
      case VALUE_NULL -> "null";
      default -> t.asString() == null ? t.name() : t.asString();
    };
  }

  private static String at(JsonParser p) {
    return at(p.currentTokenLocation());
  }

  private static String at(JsonLocation where) {
    return where == null || where.getLineNr() < 1 || where.getColumnNr() < 1
        ? ""
        : " at line " + where.getLineNr() + ", column " + where.getColumnNr();
  }
}
