package io.wssguard.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.api.SilentCloseable;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.undertow.server.HttpServerExchange;
import io.wssguard.handshake.HandshakeGate;
import io.wssguard.handshake.Rejection;
import io.wssguard.net.Cidr;
import io.wssguard.server.LoopbackListener.Answer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;

/**
 * Coverage-guided fuzzing of the PROXY protocol path (docs/FUZZING.md): raw bytes from a trusted
 * sender over a loopback connection through {@link ProxyProtocolGate} and Undertow's v1/v2 header
 * parser into the handshake gate. A stream that does not start with a v1 or v2 signature is closed
 * without an answer; anything else ends in a documented handshake answer or a silent close, never a
 * 500, another status, or no end. Corpus:
 * src/test/resources/io/wssguard/server/ProxyProtocolFuzzTestInputs.
 */
class ProxyProtocolFuzzTest {
  /** The handshake answers, and 403 for an upgrade on a header that names no client. */
  private static final Set<Integer> DOCUMENTED = Set.of(-1, 200, 400, 403, 405, 426, 431);

  private static final byte[] V1 = "PROXY ".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] V2 = {
    0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A
  };

  private static LoopbackListener listener;

  @FuzzTest(maxDuration = "2m")
  @Timeout(30)
  void answersOnlyAfterAHeader_forAnyBytesFromATrustedSender(byte[] input) throws IOException {
    Answer answer;
    try (SilentCloseable allowed = listener.allowConnections()) {
      answer = listener.send(input);
    }
    assertTrue(DOCUMENTED.contains(answer.status()), answer.text());
    if (!startsWith(input, V1) && !startsWith(input, V2)) {
      assertEquals(-1, answer.status(), "answered without a PROXY header: " + answer.text());
    }
    if (answer.status() == 200) {
      // Passed on to the handshake, or a health check's answer on a header that names no client.
      assertTrue(
          answer.text().contains("\r\n\r\nfrom ") || answer.text().endsWith("\r\n\r\nok\n"),
          answer.text());
    }
  }

  // Started and warmed (classes loaded) before the first execution: start-up is not a hang.
  @BeforeAll
  static void startListener() throws IOException {
    listener =
        LoopbackListener.proxyProtocol(
            List.of(Cidr.parse("127.0.0.0/8")),
            new HandshakeGate(ProxyProtocolFuzzTest::passed, 8 * 1024));
    listener.send(
        "PROXY UNKNOWN\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
  }

  private static void passed(HttpServerExchange exchange) {
    Rejection rejection = exchange.getAttachment(HandshakeGate.REJECTION);
    if (rejection != null) {
      rejection.send(exchange); // as the proxy does once it has counted the request
      return;
    }
    exchange.setPersistent(false);
    exchange.getResponseSender().send("from " + exchange.getSourceAddress() + "\n");
  }

  private static boolean startsWith(byte[] input, byte[] prefix) {
    return input.length >= prefix.length
        && Arrays.equals(input, 0, prefix.length, prefix, 0, prefix.length);
  }
}
