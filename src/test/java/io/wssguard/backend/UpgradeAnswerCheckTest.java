package io.wssguard.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class UpgradeAnswerCheckTest {
  private static final String KEY = "dGhlIHNhbXBsZSBub25jZQ==";
  private static final String ACCEPT = "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="; // RFC 6455 section 1.3

  private static BackendResponse response(String extraHeaders) throws Exception {
    String head =
        "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            + extraHeaders
            + "\r\n";
    ByteBuffer b = ByteBuffer.wrap(head.getBytes(StandardCharsets.ISO_8859_1));
    return BackendResponse.parse(b, BackendResponse.headEnd(b, b.limit()));
  }

  @Test
  void computesAcceptKey_asInRfc() {
    assertEquals(ACCEPT, UpgradeAnswerCheck.acceptFor(KEY));
  }

  @Test
  void accepts_correctAnswer() throws Exception {
    assertNull(
        UpgradeAnswerCheck.problem(
            response("Sec-WebSocket-Accept: " + ACCEPT + "\r\n"), KEY, List.of(), false));
    assertNull(
        UpgradeAnswerCheck.problem(
            response("Sec-WebSocket-Accept: " + ACCEPT + "\r\nSec-WebSocket-Protocol: b\r\n"),
            KEY,
            List.of("a", "b"),
            false));
  }

  @Test
  void refuses_wrongAcceptKey() throws Exception {
    assertEquals(
        "wrong Sec-WebSocket-Accept",
        UpgradeAnswerCheck.problem(
            response("Sec-WebSocket-Accept: xxxx\r\n"), KEY, List.of(), false));
  }

  @Test
  void refuses_subprotocolNotOffered() throws Exception {
    assertEquals(
        "subprotocol not offered by the client: c",
        UpgradeAnswerCheck.problem(
            response("Sec-WebSocket-Accept: " + ACCEPT + "\r\nSec-WebSocket-Protocol: c\r\n"),
            KEY,
            List.of("a"),
            false));
  }

  @Test
  void refuses_extensionWhenOffersWereStripped() throws Exception {
    assertEquals(
        "extension the client was not allowed to offer: permessage-deflate",
        UpgradeAnswerCheck.problem(
            response(
                "Sec-WebSocket-Accept: "
                    + ACCEPT
                    + "\r\nSec-WebSocket-Extensions: permessage-deflate\r\n"),
            KEY,
            List.of(),
            false));
    assertNull(
        UpgradeAnswerCheck.problem(
            response(
                "Sec-WebSocket-Accept: "
                    + ACCEPT
                    + "\r\nSec-WebSocket-Extensions: permessage-deflate\r\n"),
            KEY,
            List.of(),
            true));
    assertEquals(
        "unsupported extension: x-custom",
        UpgradeAnswerCheck.problem(
            response(
                "Sec-WebSocket-Accept: " + ACCEPT + "\r\nSec-WebSocket-Extensions: x-custom\r\n"),
            KEY,
            List.of(),
            true));
  }

  @Test
  void refuses_missingUpgradeOrConnection() throws Exception {
    ByteBuffer b =
        ByteBuffer.wrap(
            ("HTTP/1.1 101 OK\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: "
                    + ACCEPT
                    + "\r\n\r\n")
                .getBytes(StandardCharsets.ISO_8859_1));
    BackendResponse noUpgrade = BackendResponse.parse(b, BackendResponse.headEnd(b, b.limit()));
    assertEquals(
        "101 without 'Upgrade: websocket'",
        UpgradeAnswerCheck.problem(noUpgrade, KEY, List.of(), false));
  }
}
