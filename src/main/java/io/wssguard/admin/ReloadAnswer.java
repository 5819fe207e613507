package io.wssguard.admin;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.wssguard.observe.JsonText;
import io.wssguard.observe.ReloadOutcome;
import java.io.IOException;
import java.time.DateTimeException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The answer to {@code POST /reload}, written by the admin listener once the reload is over and
 * read back by {@code wssguard reload}, so both sides share one shape:
 *
 * <pre>
 * 200 {"applied":true,"at":"2025-01-01T12:00:00Z","errors":[]}
 * 409 {"applied":false,"at":"...","errors":["wssguard.yaml:7:11: ...", ...],
 *      "error":"reload refused (1 error), the running configuration stays"}
 * </pre>
 *
 * The errors are the reloader's own lines ({@code file:line:col: ...} or {@code file: ...}); {@code
 * error} is a summary for clients that read only that key, as every other admin error has one.
 */
public final class ReloadAnswer {
  private static final JsonFactory JSON = new JsonFactory();

  private ReloadAnswer() {}

  static int status(ReloadOutcome outcome) {
    return outcome.applied() ? 200 : 409;
  }

  static String json(ReloadOutcome outcome) {
    JsonText j =
        new JsonText()
            .beginObject()
            .field("applied", outcome.applied())
            .field("at", outcome.at().toString());
    j.key("errors").beginArray();
    outcome.errors().forEach(j::value);
    j.endArray();
    if (!outcome.applied()) {
      int n = outcome.errors().size();
      j.field(
          "error",
          "reload refused ("
              + n
              + (n == 1 ? " error" : " errors")
              + "), the running configuration stays");
    }
    return j.endObject().toString();
  }

  /**
   * Reads an answer back.
   *
   * @throws IOException not an answer of this shape (no {@code applied}, wrong types, not JSON)
   */
  public static ReloadOutcome parse(String body) throws IOException {
    Boolean applied = null;
    Instant at = Instant.EPOCH;
    List<String> errors = new ArrayList<>();
    try (JsonParser p = JSON.createParser(body)) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        throw new IOException("not a JSON object");
      }
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String key = p.currentName();
        JsonToken value = p.nextToken();
        switch (key) {
          case "applied" -> {
            if (!value.isBoolean()) {
              throw new IOException("applied: not a boolean");
            }
            applied = p.getBooleanValue();
          }
          case "at" -> at = instant(p.getValueAsString());
          case "errors" -> {
            if (value != JsonToken.START_ARRAY) {
              throw new IOException("errors: not an array");
            }
            while (p.nextToken() == JsonToken.VALUE_STRING) {
              errors.add(p.getText());
            }
            if (p.currentToken() != JsonToken.END_ARRAY) {
              throw new IOException("errors: not an array of strings");
            }
          }
          default -> p.skipChildren();
        }
      }
    }
    if (applied == null) {
      throw new IOException("no 'applied' in the answer");
    }
    return new ReloadOutcome(applied, errors, at);
  }

  private static Instant instant(String text) {
    try {
      return text == null ? Instant.EPOCH : Instant.parse(text);
    } catch (DateTimeException e) {
      return Instant.EPOCH;
    }
  }
}
