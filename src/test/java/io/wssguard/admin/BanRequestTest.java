package io.wssguard.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The body of POST /bans: one strict shape, and a whole message for every other. */
class BanRequestTest {
  private static BanRequest parse(String body) throws BanRequest.Invalid {
    return BanRequest.parse(body.getBytes(StandardCharsets.UTF_8));
  }

  private static String refusal(String body) {
    return assertThrows(BanRequest.Invalid.class, () -> parse(body)).getMessage();
  }

  @Test
  void reads_anObjectOfStrings_withEscapes_andTheDefaultReason() throws Exception {
    assertEquals(
        new BanRequest("203.0.113.7/32", "15m", "banned through the admin API"),
        parse(" {\"target\" : \"203.0.113.7\\/32\", \"for\":\"15m\"} \n"));
    assertEquals(
        new BanRequest("2001:db8::/48", "1h", "scan \u00e9"),
        parse("{\"target\":\"2001:db8::/48\",\"for\":\"1h\",\"reason\":\"scan \\u00e9\"}"));
  }

  @Test
  void refuses_unknownKeys_repeatedKeys_andWrongTypes() {
    assertEquals(
        "body: unknown key 'forr' (expected one of: target, for, reason)",
        refusal("{\"target\":\"192.0.2.1\",\"forr\":\"1m\"}"));
    assertEquals(
        "body: not valid JSON: Duplicate field 'for' at line 1, column 31",
        refusal("{\"for\":\"1m\",\"target\":\"x\",\"for\":\"2m\"}"));
    assertEquals(
        "body: for: a number (expected: a string) at line 1, column 29",
        refusal("{\"target\":\"192.0.2.1\",\"for\":15}"));
    assertEquals(
        "body: target: an array (expected: a string) at line 1, column 11",
        refusal("{\"target\":[\"192.0.2.1\"],\"for\":\"1m\"}"));
    assertEquals(
        "body: reason: null (expected: a string) at line 1, column 43",
        refusal("{\"target\":\"192.0.2.1\",\"for\":\"1m\",\"reason\":null}"));
  }

  @Test
  void refuses_trailingContent_missingKeys_andNonObjects() {
    assertEquals(
        "body: content after the JSON object at line 1, column 35",
        refusal("{\"target\":\"192.0.2.1\",\"for\":\"1m\"} {}"));
    assertEquals(
        "body: missing key 'for' (example: {\"target\":\"203.0.113.7\",\"for\":\"15m\",\"reason\":\"...\"})",
        refusal("{\"target\":\"192.0.2.1\"}"));
    assertEquals(
        "body: expected a JSON object like {\"target\":\"203.0.113.7\",\"for\":\"15m\",\"reason\":\"...\"}"
            + " at line 1, column 1",
        refusal("[1]"));
    assertEquals(
        "body: expected a JSON object like {\"target\":\"203.0.113.7\",\"for\":\"15m\",\"reason\":\"...\"}",
        refusal(""));
  }

  @Test
  void refuses_invalidJson_withItsPosition() {
    assertEquals(
        "body: not valid JSON: Unexpected end-of-input within/between Object entries at line 1,"
            + " column 23",
        refusal("{\"target\":\"192.0.2.1\","));
    assertEquals(
        "body: reason: 201 characters (expected: 1..200, not blank)",
        refusal(
            "{\"target\":\"192.0.2.1\",\"for\":\"1m\",\"reason\":\"" + "r".repeat(201) + "\"}"));
  }
}
