package io.wssguard.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.wssguard.config.BackendGroupConfig;
import io.wssguard.config.BackendTlsConfig;
import io.wssguard.config.Balance;
import io.wssguard.net.Cidr;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.xnio.OptionMap;
import org.xnio.Options;
import org.xnio.StreamConnection;
import org.xnio.Xnio;
import org.xnio.XnioIoThread;
import org.xnio.XnioWorker;

/** Backend host names are looked up off the IO threads; the dialer only reads the answer. */
class BackendAddressTest {
  private static final BackendServer.HostLookup NEVER =
      host -> {
        throw new AssertionError("looked up " + host);
      };

  @Test
  void isItsOwnAddress_whenHostIsAnIpLiteral() {
    BackendServer v4 = new BackendServer(URI.create("ws://127.0.0.1:9000/"), NEVER);
    assertEquals(new InetSocketAddress(InetAddress.getLoopbackAddress(), 9000), v4.address());
    assertFalse(v4.address().isUnresolved());
    assertFalse(v4.claimLookup(System.nanoTime(), 0), "nothing to look up");
    BackendServer v6 = new BackendServer(URI.create("wss://[::1]/"), NEVER);
    assertEquals(new InetSocketAddress(Cidr.address("::1"), 443), v6.address());
  }

  @Test
  void looksNothingUp_untilAskedTo_whenHostIsAName() {
    // Hex letters and dots: a name, not an address, and never looked up on construction.
    BackendServer s = new BackendServer(URI.create("ws://dead.beef.cafe/"), NEVER);
    assertNull(s.address());
  }

  @Test
  void keepsThePreviousAddress_whenALookupFails() {
    boolean[] fail = {false};
    BackendServer s =
        new BackendServer(
            URI.create("ws://localhost:9000/"),
            host -> {
              if (fail[0]) {
                throw new java.net.UnknownHostException(host);
              }
              return InetAddress.getLoopbackAddress();
            });
    assertTrue(s.claimLookup(0, 1000));
    s.lookUp(0);
    InetSocketAddress first = s.address();
    assertFalse(first.isUnresolved());
    assertFalse(s.claimLookup(500, 1000), "fresh for resolveEvery");
    fail[0] = true;
    assertTrue(s.claimLookup(1000, 1000), "due again after resolveEvery");
    s.lookUp(1000);
    assertEquals(first, s.address());
    assertTrue(s.claimLookup(1001, 1000), "a failed lookup is retried at the next dial");
  }

  @Test
  void dialerConnectsToAnAddressLookedUpOffTheIoThread() throws Exception {
    List<Thread> lookupThreads = new CopyOnWriteArrayList<>();
    BackendServer.HostLookup recording =
        host -> {
          lookupThreads.add(Thread.currentThread());
          return InetAddress.getByName(host);
        };
    XnioWorker worker =
        Xnio.getInstance(BackendDialer.class.getClassLoader())
            .createWorker(OptionMap.create(Options.WORKER_IO_THREADS, 1));
    try (ServerSocket backend = new ServerSocket(0, 5, InetAddress.getLoopbackAddress())) {
      BackendGroup group =
          new BackendGroup(
              new BackendGroupConfig(
                  "g",
                  List.of(URI.create("ws://localhost:" + backend.getLocalPort() + "/")),
                  Balance.ROUND_ROBIN,
                  Duration.ofSeconds(2),
                  Duration.ofSeconds(10),
                  2000,
                  BackendTlsConfig.DEFAULT,
                  BackendGroupConfig.DEFAULT_RESOLVE_EVERY),
              recording);
      CompletableFuture<String> outcome = new CompletableFuture<>();
      XnioIoThread io = worker.getIoThread();
      io.execute(
          () ->
              new BackendDialer(null)
                  .dial(
                      io,
                      group,
                      new BackendDialer.Upgrade(
                          java.nio.ByteBuffer.wrap(
                              "GET / HTTP/1.1\r\nHost: x\r\n\r\n"
                                  .getBytes(StandardCharsets.US_ASCII)),
                          "dGhlIHNhbXBsZSBub25jZQ==",
                          List.of(),
                          false),
                      TimeUnit.SECONDS.toNanos(5),
                      new Recorder(outcome)));
      backend.setSoTimeout(5000);
      try (Socket accepted = backend.accept()) {
        accepted
            .getOutputStream()
            .write("HTTP/1.1 500 Oops\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        assertEquals(
            "answeredBadly " + group.servers().get(0) + " answered the upgrade with 500 Oops",
            outcome.get(5, TimeUnit.SECONDS));
      }
      assertEquals(1, lookupThreads.size());
      assertFalse(
          lookupThreads.get(0) instanceof XnioIoThread,
          "looked up on " + lookupThreads.get(0).getName());
      assertFalse(group.servers().get(0).address().isUnresolved());
      assertFalse(group.servers().get(0).isDown(System.nanoTime()), "an answer is no failure");
    } finally {
      worker.shutdownNow();
    }
  }

  private record Recorder(CompletableFuture<String> result) implements BackendDialer.Outcome {
    @Override
    public void upgraded(
        BackendServer server, StreamConnection c, BackendResponse response, ByteBuffer early) {
      result.complete("upgraded");
    }

    @Override
    public void refused(BackendServer server, BackendResponse response) {
      result.complete("refused " + response.status());
    }

    @Override
    public void failed(String reason) {
      result.complete("failed " + reason);
    }

    @Override
    public void answeredBadly(BackendServer server, String reason) {
      result.complete("answeredBadly " + reason);
    }
  }
}
