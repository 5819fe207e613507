package io.wssguard.admin;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import org.junit.jupiter.api.Timeout;

/**
 * Coverage-guided fuzzing of the admin API's {@code POST /bans} body (docs/FUZZING.md): any bytes
 * give a request with a target, a duration text and a bounded reason, or {@link BanRequest.Invalid}
 * with a message (the 400 answer), never another exception or a hang. Corpus:
 * src/test/resources/io/wssguard/admin/BanRequestFuzzTestInputs.
 */
class BanRequestFuzzTest {

  @FuzzTest(maxDuration = "2m")
  @Timeout(30)
  void answersRequestOrReason_forAnyBody(byte[] body) {
    BanRequest request;
    try {
      request = BanRequest.parse(body);
    } catch (BanRequest.Invalid e) {
      assertNotNull(e.getMessage());
      assertFalse(e.getMessage().isBlank());
      return;
    }
    assertNotNull(request.target());
    assertNotNull(request.duration());
    assertTrue(
        !request.reason().isBlank() && request.reason().length() <= BanRequest.MAX_REASON,
        request.reason());
  }
}
