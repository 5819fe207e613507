package io.wssguard.handshake;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RequestPathTest {

  @ParameterizedTest
  @CsvSource({
    "/, /",
    "/chat, /chat",
    "/chat/, /chat/",
    "/%61dmin, /admin",
    "/a%7e%2D%5f, /a~-_",
    "/caf%c3%a9, /caf%C3%A9",
    "/a%20b, /a%20b",
    "/a%3bb, /a%3Bb",
    "/v1.0/x..y/.hidden, /v1.0/x..y/.hidden",
  })
  void readsRegularPath_decodingOnlyUnreserved(String raw, String path) {
    assertEquals(new RequestPath(path, null), RequestPath.of(raw));
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      quoteCharacter = '"',
      value = {
        "/x/../admin|/admin|dot-segment '..' in the path",
        "/x/%2e%2e/admin|/admin|dot-segment '..' in the path",
        "/x/%2E./admin|/admin|dot-segment '..' in the path",
        "/x/./admin|/x/admin|dot-segment '.' in the path",
        "//admin|/admin|empty segment ('//') in the path",
        "/x//y/|/x/y/|empty segment ('//') in the path",
        "/x;/../admin|/admin|';' parameter in the path",
        "/x/..;/admin|/admin|';' parameter in the path",
        "/admin;jsessionid=1|/admin|';' parameter in the path",
        "/chat/..|/|dot-segment '..' in the path",
        "/chat/.|/chat/|dot-segment '.' in the path",
        "/../../etc|/etc|dot-segment '..' in the path",
        "/a/b/../../..|/|dot-segment '..' in the path",
      })
  void normalisesIrregularPath_namingTheFirstIrregularity(
      String raw, String normalised, String why) {
    assertEquals(new RequestPath(normalised, why), RequestPath.of(raw));
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      quoteCharacter = '"',
      value = {
        "/x/..%2fadmin|encoded '/' (%2f) in the path",
        "/x%2F..|encoded '/' (%2F) in the path",
        "/a%5cb|encoded '\\' (%5c) in the path",
        "/a%00b|encoded NUL (%00) in the path",
        "/a\\b|'\\' in the path",
        "/a%zz|malformed percent-encoding in the path",
        "/a%2|malformed percent-encoding in the path",
        "/a%|malformed percent-encoding in the path",
        "/a%\u0663\u0663|malformed percent-encoding in the path",
        "http://evil/x|the request target must be a path starting with / (origin-form)",
        "*|the request target must be a path starting with / (origin-form)",
        "/a\u00e9|character 0xe9 in the path",
      })
  void refusesPath_thatCannotBeNormalised(String raw, String why) {
    assertEquals(new RequestPath(null, why), RequestPath.of(raw));
  }
}
