package io.wssguard.handshake;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.api.SilentCloseable;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;
import io.undertow.util.HttpString;
import io.undertow.util.Methods;
import io.wssguard.server.LoopbackListener;
import io.wssguard.server.LoopbackListener.Answer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;

/**
 * Coverage-guided fuzzing of the opening handshake (docs/FUZZING.md): raw bytes over a loopback
 * connection through Undertow's request parsing into the {@link HandshakeGate}. The documented
 * answers are the gate's refusals (400, 405, 426, 431), Undertow's own 400 or a silent close for
 * what it cannot parse, or the request passed on (200 here) with the gate's preconditions true;
 * never a 500 (the gate threw), another status, or no end. Corpus:
 * src/test/resources/io/wssguard/handshake/HandshakeGateFuzzTestInputs.
 */
class HandshakeGateFuzzTest {
  private static final Set<Integer> DOCUMENTED = Set.of(-1, 200, 400, 405, 426, 431);
  private static final int MAX_HEADER_BYTES = 8 * 1024;

  private static LoopbackListener listener;

  @FuzzTest(maxDuration = "2m")
  @Timeout(30)
  void answersOnlyDocumentedStatuses_forAnyRequestBytes(byte[] request) throws IOException {
    Answer answer;
    try (SilentCloseable allowed = listener.allowConnections()) {
      answer = listener.send(request);
    }
    assertTrue(DOCUMENTED.contains(answer.status()), answer.text());
    if (answer.status() == 200) {
      assertTrue(answer.text().endsWith("\r\n\r\npassed\n"), answer.text());
    }
  }

  // Started and warmed (classes loaded) before the first execution: start-up is not a hang.
  @BeforeAll
  static void startListener() throws IOException {
    listener =
        LoopbackListener.http(new HandshakeGate(HandshakeGateFuzzTest::passed, MAX_HEADER_BYTES));
    listener.send("GET / HTTP/1.1\r\nHost: a\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
  }

  /**
   * The gate hands every request on, with its refusal attached when it has one (the proxy counts
   * the request, then sends that refusal, as here). Without one, the request must be a handshake by
   * the gate's own rules; a 299 says it was not.
   */
  private static void passed(HttpServerExchange exchange) {
    Rejection rejection = exchange.getAttachment(HandshakeGate.REJECTION);
    if (rejection != null) {
      rejection.send(exchange);
      return;
    }
    var headers = exchange.getRequestHeaders();
    String key = headers.getFirst(new HttpString("Sec-WebSocket-Key"));
    boolean handshake =
        exchange.getRequestMethod().equals(Methods.GET)
            && exchange.isHttp11()
            && HandshakeGate.headerBlockBytes(exchange) <= MAX_HEADER_BYTES
            && !headers.contains(Headers.TRANSFER_ENCODING)
            && headers.count(Headers.UPGRADE) == 1
            && key != null
            && HandshakeGate.isValidKey(key)
            && headers.count(Headers.HOST) == 1;
    exchange.setStatusCode(handshake ? 200 : 299);
    exchange.setPersistent(false);
    exchange.getResponseSender().send(handshake ? "passed\n" : "not a handshake\n");
  }
}
