package io.wssguard.it;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A backend on a raw socket that answers every upgrade request with one fixed response head and
 * closes, counting the connections it accepted.
 */
final class AnsweringBackend implements AutoCloseable {
  private final ServerSocket server;
  private final String answer;
  private final AtomicInteger accepted = new AtomicInteger();
  private final Thread thread;

  private AnsweringBackend(String answer) throws IOException {
    this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    this.answer = answer;
    this.thread = new Thread(this::serve, "answering-backend");
    thread.setDaemon(true);
    thread.start();
  }

  /** Answers {@code statusLine} (e.g. {@code 500 Internal Server Error}) with an empty body. */
  static AnsweringBackend start(String statusLine, String... headers) throws IOException {
    StringBuilder head = new StringBuilder("HTTP/1.1 ").append(statusLine).append("\r\n");
    for (String h : headers) {
      head.append(h).append("\r\n");
    }
    head.append("Content-Length: 0\r\nConnection: close\r\n\r\n");
    return new AnsweringBackend(head.toString());
  }

  String url() {
    return "ws://127.0.0.1:" + server.getLocalPort() + "/";
  }

  int accepted() {
    return accepted.get();
  }

  private void serve() {
    while (!server.isClosed()) {
      try (Socket s = server.accept()) {
        accepted.incrementAndGet();
        s.setSoTimeout(5000);
        InputStream in = s.getInputStream();
        int matched = 0;
        byte[] end = {'\r', '\n', '\r', '\n'};
        while (matched < 4) {
          int c = in.read();
          if (c < 0) {
            break;
          }
          matched = c == end[matched] ? matched + 1 : (c == '\r' ? 1 : 0);
        }
        OutputStream out = s.getOutputStream();
        out.write(answer.getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
      } catch (IOException e) {
        // closed by close(), or a client that left: next one
      }
    }
  }

  @Override
  public void close() throws IOException {
    server.close();
  }
}
