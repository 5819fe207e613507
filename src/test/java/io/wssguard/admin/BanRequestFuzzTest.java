package io.wssguard.admin;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.wssguard.quantity.Quantities;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Timeout;

/**
 * Coverage-guided fuzzing of the admin API's {@code POST /bans} body (docs/FUZZING.md): any body
 * gives a ban request within bounds or an {@link IllegalArgumentException} with a message (the 400
 * answer), never another exception or a hang. Corpus:
 * src/test/resources/io/wssguard/admin/BanRequestFuzzTestInputs.
 */
class BanRequestFuzzTest {

  @FuzzTest(maxDuration = "2m")
  @Timeout(30)
  void answersRequestOrReason_forAnyBody(byte[] body) {
    BanRequest request;
    try {
      request = BanRequest.parse(new String(body, StandardCharsets.UTF_8));
    } catch (IllegalArgumentException e) {
      assertNotNull(e.getMessage());
      assertFalse(e.getMessage().isBlank());
      return;
    }
    assertNotNull(request.target());
    assertNotNull(request.reason());
    assertTrue(
        request.duration().compareTo(Duration.ofSeconds(1)) >= 0
            && request.duration().compareTo(Quantities.MAX_BAN) <= 0,
        request.duration().toString());
  }
}
