package io.wssguard.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.wssguard.backend.UpgradeAnswerCheck;
import io.wssguard.config.TimeoutsConfig;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
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
      // The JDK client answers pings by itself: quiet for 3x the idle time, still open.
      JdkClient healthy = JdkClient.connect(proxy.wss("/echo"));
      // A raw client that reads nothing and answers nothing is a dead peer.
      RawClient dead = RawClient.connect(proxy.port("boring"), true).upgrade("/echo");
      Thread.sleep(2100);
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
          RawClient c = RawClient.connect(proxy.port("plain"), false).upgrade("/")) {
        AtomicLong written = new AtomicLong();
        byte[] frame = RawClient.frame(0x82, new byte[64 * 1024]);
        Thread writer =
            new Thread(
                () -> {
                  try {
                    for (int i = 0; i < 2048; i++) { // at most 128 MiB
                      c.out.write(frame);
                      written.addAndGet(frame.length);
                    }
                  } catch (IOException e) {
                    // the socket is closed at the end of the test
                  }
                });
        writer.setDaemon(true);
        writer.start();
        Thread.sleep(2000);
        long stalledAt = written.get();
        Thread.sleep(1000);
        assertEquals(stalledAt, written.get(), "the client's writes must be stalled");
        // Kernel buffers on three sockets plus one 16 KiB pump buffer: a few MiB at most, not 128.
        assertTrue(stalledAt < 32L << 20, "client could write " + stalledAt + " bytes");
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
      a.ws.sendClose(1000, "").join();
      b.ws.sendClose(1000, "").join();
      assertTrue(drained.get(10, TimeUnit.SECONDS), "all connections ended within the drain time");
      assertEquals(0, proxy.server.openRelays());
    }
  }
}
