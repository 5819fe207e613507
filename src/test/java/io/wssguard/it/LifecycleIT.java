package io.wssguard.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.wssguard.backend.UpgradeAnswerCheck;
import io.wssguard.config.TimeoutsConfig;
import io.wssguard.testing.Await;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Idle timeouts and keep-alive pings, backpressure, and graceful shutdown. */
class LifecycleIT {
  @TempDir Path certs;

  private static TimeoutsConfig quick(Duration ping, Duration idle) {
    return new TimeoutsConfig(Duration.ofSeconds(5), 8192, idle, ping, Duration.ofSeconds(2));
  }

  @Test
  void keepsQuietButHealthyConnection_andCloses1001_whenPeerStopsAnswering() throws Exception {
    try (NodeBackend node = NodeBackend.start();
        TestProxy proxy =
            TestProxy.builder(certs)
                .timeouts(quick(Duration.ofMillis(200), Duration.ofMillis(700)))
                .backend("node", node.url("/"))
                .route("/", "node")
                .start()) {
      // The JDK client answers pings by itself. A ping goes out after 200 ms of quiet and its pong
      // ends the quiet spell, so six pings mean about 2.4 s, over three times the idle time.
      JdkClient healthy = JdkClient.connect(proxy.wss("/echo"));
      // A raw client that reads nothing and answers nothing is a dead peer.
      RawClient dead = RawClient.connect(proxy.port("boring"), true).upgrade("/echo");
      Await.until(
          () -> healthy.pings.get() >= 6,
          Duration.ofSeconds(20),
          () -> "six pings to the healthy client, got " + healthy.pings.get());
      assertEquals("still here", healthy.sendTextAndAwait("still here"));
      RawClient.Frame first = dead.readFrame();
      assertEquals(0x89, first.first(), "the proxy pings a quiet client");
      assertEquals(1001, dead.readCloseCode());
      dead.close();
      healthy.ws.sendClose(1000, "").get(5, TimeUnit.SECONDS);
    }
  }

  /**
   * A backend that accepts the upgrade and then never reads: the client's writes must stall once
   * the socket buffers are full, instead of the proxy buffering without bound.
   */
  @Test
  void stopsReadingClient_whenBackendDoesNotRead() throws Exception {
    try (ServerSocket stuck = new ServerSocket(0)) {
      CompletableFuture<Socket> accepted =
          CompletableFuture.supplyAsync(() -> acceptUpgrade(stuck));
      try (TestProxy proxy =
              TestProxy.builder(certs)
                  .backend("stuck", "ws://127.0.0.1:" + stuck.getLocalPort() + "/")
                  .route("/", "stuck")
                  .start();
          SocketChannel c =
              SocketChannel.open(
                  new InetSocketAddress(InetAddress.getLoopbackAddress(), proxy.port("plain")))) {
        c.write(
            ByteBuffer.wrap(RawClient.upgradeRequest("/").getBytes(StandardCharsets.ISO_8859_1)));
        ByteBuffer head = ByteBuffer.allocate(4096);
        while (!new String(head.array(), 0, head.position(), StandardCharsets.ISO_8859_1)
            .contains("\r\n\r\n")) {
          assertTrue(c.read(head) >= 0, "the proxy hung up before its answer");
        }
        assertTrue(
            new String(head.array(), StandardCharsets.ISO_8859_1).startsWith("HTTP/1.1 101"));
        // Write without blocking until the socket stays unwritable for a whole second: the proxy
        // has stopped reading. A proxy that buffered without bound would let the writes run on.
        c.configureBlocking(false);
        ByteBuffer frame = ByteBuffer.wrap(RawClient.frame(0x82, new byte[64 * 1024]));
        long written = 0;
        try (Selector selector = Selector.open()) {
          c.register(selector, SelectionKey.OP_WRITE);
          long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
          while (true) {
            if (!frame.hasRemaining()) {
              frame.rewind();
            }
            int n = c.write(frame);
            written += n;
            // Kernel buffers on three sockets plus one 16 KiB pump buffer: a few MiB at most.
            assertTrue(written < 32L << 20, "client could write " + written + " bytes");
            if (n == 0) {
              selector.selectedKeys().clear();
              if (selector.select(1000) == 0) {
                break;
              }
            }
            assertTrue(System.nanoTime() - deadline < 0, "writes neither stalled nor overran");
          }
        }
        accepted.get(5, TimeUnit.SECONDS).close();
      }
    }
  }

  private static Socket acceptUpgrade(ServerSocket server) {
    try {
      Socket s = server.accept();
      InputStream in = s.getInputStream();
      StringBuilder head = new StringBuilder();
      while (!head.toString().endsWith("\r\n\r\n")) {
        head.append((char) in.read());
      }
      String key =
          head.toString()
              .lines()
              .filter(l -> l.toLowerCase(Locale.ROOT).startsWith("sec-websocket-key:"))
              .findFirst()
              .orElseThrow()
              .substring(18)
              .trim();
      OutputStream out = s.getOutputStream();
      out.write(
          ("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                  + "Sec-WebSocket-Accept: "
                  + UpgradeAnswerCheck.acceptFor(key)
                  + "\r\n\r\n")
              .getBytes(StandardCharsets.ISO_8859_1));
      out.flush();
      return s; // and never read again
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  @Test
  void sends1001ToClients_andDrains_onShutdown() throws Exception {
    try (NodeBackend node = NodeBackend.start()) {
      TestProxy proxy =
          TestProxy.builder(certs).backend("node", node.url("/")).route("/", "node").start();
      RawClient raw = RawClient.connect(proxy.port("boring"), true).upgrade("/echo");
      JdkClient a = JdkClient.connect(proxy.wss("/echo"));
      JdkClient b = JdkClient.connect(proxy.wss("/echo"));
      assertEquals("a", a.sendTextAndAwait("a"));
      assertEquals("b", b.sendTextAndAwait("b"));
      CompletableFuture<Boolean> drained =
          CompletableFuture.supplyAsync(
              () -> {
                try {
                  return proxy.server.shutdown(Duration.ofSeconds(5));
                } catch (InterruptedException e) {
                  throw new IllegalStateException(e);
                }
              });
      assertEquals(1001, raw.readCloseCode());
      assertEquals(1001, a.awaitClose());
      assertEquals(1001, b.awaitClose());
      a.ws.sendClose(1000, "").exceptionally(alreadyAnswered -> null).join();
      b.ws.sendClose(1000, "").exceptionally(alreadyAnswered -> null).join();
      assertTrue(drained.get(10, TimeUnit.SECONDS), "all connections ended within the drain time");
      assertEquals(0, proxy.server.openRelays());
    }
  }
}
