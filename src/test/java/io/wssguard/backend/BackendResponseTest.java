package io.wssguard.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class BackendResponseTest {
  private static BackendResponse parse(String head) throws Exception {
    ByteBuffer b = ByteBuffer.wrap(head.getBytes(StandardCharsets.ISO_8859_1));
    int end = BackendResponse.headEnd(b, b.limit());
    return BackendResponse.parse(b, end);
  }

  @Test
  void findsHeadEnd_onlyAfterBlankLine() {
    ByteBuffer b =
        ByteBuffer.wrap(
            "HTTP/1.1 101 OK\r\nA: b\r\n\r\nframes".getBytes(StandardCharsets.ISO_8859_1));
    assertEquals(25, BackendResponse.headEnd(b, b.limit()));
    assertEquals(-1, BackendResponse.headEnd(b, 24));
  }

  @Test
  void parsesStatusAndHeaders_caseInsensitively() throws Exception {
    BackendResponse r =
        parse(
            String.join(
                "\r\n",
                "HTTP/1.1 101 Switching Protocols",
                "Upgrade: websocket",
                "sec-websocket-protocol: chat",
                "X-A: 1",
                "x-a: 2",
                "",
                ""));
    assertEquals(101, r.status());
    assertEquals("Switching Protocols", r.reason());
    assertEquals("chat", r.header("Sec-WebSocket-Protocol"));
    assertEquals(List.of("1", "2"), r.headers("X-A"));
    assertEquals("1, 2", r.header("x-a"));
    assertNull(r.header("absent"));
  }

  @Test
  void rejectsMalformedHeads() {
    for (String bad :
        new String[] {
          "HTTP/1.0 101 OK\r\n\r\n",
          "HTTP/1.1 1O1 OK\r\n\r\n",
          "HTTP/1.1 99 OK\r\n\r\n",
          "HTTP/1.1 1011\r\n\r\n",
          "HTTP/1.1 101 OK\r\nno colon\r\n\r\n",
          "HTTP/1.1 101 OK\r\nbad name: x\r\n\r\n"
        }) {
      assertThrows(BackendResponse.MalformedResponseException.class, () -> parse(bad), bad);
    }
  }
}
