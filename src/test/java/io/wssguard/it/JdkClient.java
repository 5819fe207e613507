package io.wssguard.it;

import io.wssguard.testing.TrustAll;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/** The JDK's own WebSocket client, collecting whole messages and the close code it receives. */
final class JdkClient implements WebSocket.Listener {
  private static final HttpClient HTTP =
      HttpClient.newBuilder()
          .sslContext(TrustAll.context())
          .connectTimeout(Duration.ofSeconds(5))
          .build();

  final BlockingQueue<Object> messages = new LinkedBlockingQueue<>();
  final CompletableFuture<Integer> closeCode = new CompletableFuture<>();

  /** Pings received (the JDK answers each with a pong by itself). */
  final AtomicInteger pings = new AtomicInteger();

  private final StringBuilder text = new StringBuilder();
  private ByteArrayOutputStream binary = new ByteArrayOutputStream();
  WebSocket ws;

  static JdkClient connect(URI uri, String... subprotocols) throws Exception {
    JdkClient c = new JdkClient();
    WebSocket.Builder b = HTTP.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(5));
    if (subprotocols.length > 0) {
      b.subprotocols(
          subprotocols[0], java.util.Arrays.copyOfRange(subprotocols, 1, subprotocols.length));
    }
    c.ws = b.buildAsync(uri, c).get(10, TimeUnit.SECONDS);
    return c;
  }

  /** The next message, which must be text, without sending anything. */
  String awaitText() throws Exception {
    Object m = messages.poll(10, TimeUnit.SECONDS);
    if (!(m instanceof String text)) {
      throw new AssertionError("expected a text message, got " + m);
    }
    return text;
  }

  String sendTextAndAwait(String s) throws Exception {
    ws.sendText(s, true).get(10, TimeUnit.SECONDS);
    return awaitText();
  }

  byte[] sendBinaryAndAwait(byte[] data) throws Exception {
    ws.sendBinary(ByteBuffer.wrap(data), true).get(10, TimeUnit.SECONDS);
    Object m = messages.poll(10, TimeUnit.SECONDS);
    if (!(m instanceof byte[] bytes)) {
      throw new AssertionError("expected a binary message, got " + m);
    }
    return bytes;
  }

  int awaitClose() throws Exception {
    return closeCode.get(15, TimeUnit.SECONDS);
  }

  @Override
  public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
    text.append(data);
    if (last) {
      messages.add(text.toString());
      text.setLength(0);
    }
    webSocket.request(1);
    return null;
  }

  @Override
  public CompletionStage<?> onBinary(WebSocket webSocket, ByteBuffer data, boolean last) {
    byte[] chunk = new byte[data.remaining()];
    data.get(chunk);
    binary.writeBytes(chunk);
    if (last) {
      messages.add(binary.toByteArray());
      binary = new ByteArrayOutputStream();
    }
    webSocket.request(1);
    return null;
  }

  @Override
  public CompletionStage<?> onPing(WebSocket webSocket, ByteBuffer message) {
    pings.incrementAndGet();
    webSocket.request(1);
    return null;
  }

  @Override
  public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
    closeCode.complete(statusCode);
    return null;
  }

  @Override
  public void onError(WebSocket webSocket, Throwable error) {
    closeCode.completeExceptionally(error);
  }
}
