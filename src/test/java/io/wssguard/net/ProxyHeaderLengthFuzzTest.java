package io.wssguard.net;

import static io.wssguard.net.ProxyHeaderLength.INCOMPLETE;
import static io.wssguard.net.ProxyHeaderLength.INVALID;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.ByteBuffer;
import org.junit.jupiter.api.Timeout;

/**
 * Coverage-guided fuzzing of the PROXY header framing (docs/FUZZING.md): for any bytes, asked after
 * every count of bytes read (as a header split across reads would be), the answer is decided once
 * and never changes, a length is exactly where it was first known and within {@link
 * ProxyHeaderLength#MAX_BYTES}, and nothing stays undecided past that many bytes. Corpus:
 * src/test/resources/io/wssguard/net/ProxyHeaderLengthFuzzTestInputs.
 */
class ProxyHeaderLengthFuzzTest {
  @FuzzTest(maxDuration = "2m")
  @Timeout(30)
  void decidesOnce_andNeverAfterMaxBytes_whereverTheReadsEnd(byte[] input) {
    ByteBuffer buffer = ByteBuffer.wrap(input);
    int decided = INCOMPLETE;
    for (int end = 0; end <= input.length; end++) {
      int answer = ProxyHeaderLength.of(buffer, end);
      if (decided != INCOMPLETE) {
        assertEquals(decided, answer, "changed its mind at " + end + " bytes");
        continue;
      }
      if (answer > 0) {
        assertEquals(end, answer, "a length is known exactly when its last byte is read");
        assertTrue(answer <= ProxyHeaderLength.MAX_BYTES, "over the bound: " + answer);
      } else if (answer != INCOMPLETE) {
        assertEquals(INVALID, answer);
      }
      if (end >= ProxyHeaderLength.MAX_BYTES) {
        assertNotEquals(INCOMPLETE, answer, "undecided after " + end + " bytes");
      }
      decided = answer;
    }
    assertEquals(0, buffer.position(), "the buffer is not moved");
  }
}
