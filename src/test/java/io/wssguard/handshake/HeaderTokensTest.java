package io.wssguard.handshake;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class HeaderTokensTest {

  @ParameterizedTest
  @ValueSource(strings = {"chat", "chat.v2", "mqtt", "a!#$%&'*+-.^_`|~9"})
  void acceptsToken(String s) {
    assertTrue(HeaderTokens.isToken(s));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {"", "a b", "chat/v2", "a;b", "\"chat\"", "a\tb", "caf\u00e9", "a=b", "{}"})
  void refusesNonToken(String s) {
    assertFalse(HeaderTokens.isToken(s));
  }

  @Test
  void elements_areTrimmed_andEmptyOnesSkipped() {
    assertEquals(List.of("a", "b c", "d"), HeaderTokens.elements(" a, ,b c ,,d,"));
  }
}
