package io.wssguard.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.wssguard.ban.MemoryBans;
import io.wssguard.config.ConfigParser;
import io.wssguard.config.ProxyConfig;
import io.wssguard.observe.ReloadOutcome;
import io.wssguard.policy.PolicyParser;
import io.wssguard.server.ConfigReloader;
import io.wssguard.server.ProxyServer;
import io.wssguard.testing.Await;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Listener and admin changes on reload: an added listener is opened, a removed one stops accepting
 * and its conversations are closed with 1001, a moved one is both; a port that cannot be bound
 * fails the whole reload with nothing applied; the admin token follows the file, the admin address
 * does not move.
 */
class ListenerReloadIT {
  @TempDir Path dir;

  private TaggedEchoBackend a;
  private TaggedEchoBackend b;
  private ProxyServer server;
  private ConfigReloader reloader;

  @BeforeEach
  void backends() {
    a = TaggedEchoBackend.start("a");
    b = TaggedEchoBackend.start("b");
  }

  @AfterEach
  void stop() throws Exception {
    if (server != null) {
      server.shutdown(Duration.ofSeconds(2));
    }
    a.close();
    b.close();
  }

  private Path file() {
    return dir.resolve("wssguard.yaml");
  }

  /**
   * Plain listeners ({@code nameAndBind}: name, bind, name, bind...), both backends, everything
   * routed to {@code to}, and the {@code admin} block.
   */
  private void config(String to, String admin, String... nameAndBind) throws Exception {
    StringBuilder ls = new StringBuilder("listeners:\n");
    for (int i = 0; i < nameAndBind.length; i += 2) {
      ls.append("  - name: ")
          .append(nameAndBind[i])
          .append("\n    bind: ")
          .append(nameAndBind[i + 1])
          .append('\n');
    }
    Files.writeString(
        file(),
        ls
            + """
            backends:
              a:
                servers: [%s]
              b:
                servers: [%s]
            routes:
              - path: /
                backend: %s
                policy: off
            timeouts:
              drain: 5s
            %s
            """
                .formatted(a.url(), b.url(), to, admin));
  }

  private void start() throws Exception {
    ProxyConfig cfg = ConfigParser.parse(file());
    server = ProxyServer.start(cfg, PolicyParser.forConfig(cfg), new MemoryBans());
    reloader = new ConfigReloader(file(), server);
  }

  private URI uri(String listener) {
    InetSocketAddress at = server.listener(listener).address();
    return URI.create("ws://" + at.getHostString() + ":" + at.getPort() + "/chat");
  }

  private static void refusesConnections(InetSocketAddress at) {
    assertThrows(
        ConnectException.class,
        () -> {
          try (Socket s = new Socket()) {
            s.connect(at, 5_000);
          }
        },
        at + " still accepts");
  }

  private List<String> listenerNames() {
    return server.listeners().stream().map(l -> l.config().name()).toList();
  }

  @Test
  void opensAddedListener_andClosesRemovedOnesConversationsWith1001() throws Exception {
    config("a", "admin:\n  bind: off", "keep", "127.0.0.1:0", "gone", "127.0.0.1:0");
    start();
    JdkClient onKept = JdkClient.connect(uri("keep"));
    JdkClient onGone = JdkClient.connect(uri("gone"));
    assertEquals("a:1", onGone.sendTextAndAwait("1"));
    InetSocketAddress gone = server.listener("gone").address();

    config("a", "admin:\n  bind: off", "keep", "127.0.0.1:0", "added", "127.0.0.1:0");
    ReloadOutcome outcome = reloader.reloadNow("test");
    assertTrue(outcome.applied(), String.join("\n", outcome.errors()));

    assertEquals(List.of("keep", "added"), listenerNames());
    assertEquals(1001, onGone.awaitClose());
    refusesConnections(gone);
    assertEquals("a:still here", onKept.sendTextAndAwait("still here"));
    assertEquals("a:new", JdkClient.connect(uri("added")).sendTextAndAwait("new"));
    Await.until(() -> server.openRelays() == 2, Duration.ofSeconds(10), "the drained relay to end");
  }

  @Test
  void movesListener_whenItsBindAddressChanges() throws Exception {
    config("a", "admin:\n  bind: off", "public", "127.0.0.1:0");
    start();
    JdkClient before = JdkClient.connect(uri("public"));
    InetSocketAddress old = server.listener("public").address();

    config("a", "admin:\n  bind: off", "public", "127.0.0.2:0");
    ReloadOutcome outcome = reloader.reloadNow("test");
    assertTrue(outcome.applied(), String.join("\n", outcome.errors()));

    InetSocketAddress moved = server.listener("public").address();
    assertEquals("127.0.0.2", moved.getHostString());
    assertEquals(1001, before.awaitClose());
    refusesConnections(old);
    assertEquals("a:there", JdkClient.connect(uri("public")).sendTextAndAwait("there"));
  }

  @Test
  void refusesWholeReload_andAppliesNothing_whenAPortIsBusy() throws Exception {
    config("a", "admin:\n  bind: off", "public", "127.0.0.1:0");
    start();
    JdkClient open = JdkClient.connect(uri("public"));
    try (ServerSocket busy = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      int port = busy.getLocalPort();
      // Another listener that would bind, one that cannot, and the route moved to b.
      config(
          "b",
          "admin:\n  bind: off",
          "public",
          "127.0.0.1:0",
          "fine",
          "127.0.0.1:0",
          "taken",
          "127.0.0.1:" + port);
      ReloadOutcome outcome = reloader.reloadNow("test");

      assertFalse(outcome.applied());
      assertEquals(
          List.of(
              file()
                  + ": listener 'taken' cannot listen on 127.0.0.1:"
                  + port
                  + ": Address already in use"),
          outcome.errors());
    }
    assertEquals(List.of("public"), listenerNames());
    assertEquals("a", server.config().routes().get(0).backend());
    assertEquals("a:old", open.sendTextAndAwait("old"));
    assertEquals("a:new", JdkClient.connect(uri("public")).sendTextAndAwait("new"));
  }

  @Test
  void refusesToMoveOntoAPortAnotherListenerHolds_sayingWhichAndWhy() throws Exception {
    config("a", "admin:\n  bind: off", "one", "127.0.0.1:0", "two", "127.0.0.1:0");
    start();
    int twoPort = server.listener("two").address().getPort();

    // "one" takes the port of "two", which the same reload removes: two still holds it while the
    // reload binds.
    config("a", "admin:\n  bind: off", "one", "127.0.0.1:" + twoPort);
    ReloadOutcome outcome = reloader.reloadNow("test");

    assertFalse(outcome.applied());
    assertEquals(
        List.of(
            file()
                + ": listener 'one' cannot listen on 127.0.0.1:"
                + twoPort
                + ": Address already in use (listener 'two' listens there until this reload is"
                + " applied: a reload binds new sockets before it closes old ones, so move it in"
                + " two reloads, or restart)"),
        outcome.errors());
    assertEquals(List.of("one", "two"), listenerNames());
    assertEquals("a:up", JdkClient.connect(uri("two")).sendTextAndAwait("up"));
  }

  @Test
  void reloadsAdminToken_butRefusesToMoveTheAdminListener() throws Exception {
    Files.writeString(dir.resolve("one.token"), "token-one\n");
    Files.writeString(dir.resolve("two.token"), "token-two\n");
    config("a", "admin:\n  bind: 127.0.0.1:0\n  tokenFile: one.token", "public", "127.0.0.1:0");
    start();
    AdminClient one = new AdminClient(server.adminUrl(), "token-one");
    AdminClient two = new AdminClient(server.adminUrl(), "token-two");
    assertEquals(200, one.get("/status").statusCode());
    assertEquals(401, two.get("/status").statusCode());

    config("a", "admin:\n  bind: 127.0.0.1:0\n  tokenFile: two.token", "public", "127.0.0.1:0");
    assertTrue(reloader.reloadNow("test").applied());
    assertEquals(401, one.get("/status").statusCode());
    assertEquals(200, two.get("/status").statusCode());

    // The same file with new content: the new token from this reload on.
    Files.writeString(dir.resolve("two.token"), "token-three\n");
    assertEquals(200, two.get("/status").statusCode(), "not before the reload");
    assertTrue(reloader.reloadNow("test").applied());
    assertEquals(401, two.get("/status").statusCode());
    assertEquals(
        200, new AdminClient(server.adminUrl(), "token-three").get("/status").statusCode());

    config("b", "admin:\n  bind: 127.0.0.2:0\n  tokenFile: one.token", "public", "127.0.0.1:0");
    ReloadOutcome moved = reloader.reloadNow("test");
    assertFalse(moved.applied());
    assertEquals(
        List.of(
            file()
                + ": admin.bind: 127.0.0.1:0 -> 127.0.0.2:0: needs a restart (a reload cannot"
                + " apply it; the running value stays)"),
        moved.errors());
    HttpResponse<String> status = new AdminClient(server.adminUrl(), "token-three").get("/status");
    assertEquals(200, status.statusCode(), "neither the token nor anything else changed");
    assertEquals("a", server.config().routes().get(0).backend());
  }

  @Test
  void reload_refusesANamedTokenFileThatIsMissing_insteadOfMakingOneUp() throws Exception {
    Files.writeString(dir.resolve("one.token"), "token-one\n");
    config("a", "admin:\n  bind: 127.0.0.1:0\n  tokenFile: one.token", "public", "127.0.0.1:0");
    start();

    config("a", "admin:\n  bind: 127.0.0.1:0\n  tokenFile: gone.token", "public", "127.0.0.1:0");
    ReloadOutcome outcome = reloader.reloadNow("test");

    assertFalse(outcome.applied());
    assertEquals(
        List.of(
            file()
                + ": admin.tokenFile: admin token file "
                + dir.resolve("gone.token")
                + " not found (expected: the token you put there, or admin.generateToken: true to"
                + " have one generated at start)"),
        outcome.errors());
    assertFalse(Files.exists(dir.resolve("gone.token")), "a token to be provided is never made up");
    assertEquals(200, new AdminClient(server.adminUrl(), "token-one").get("/status").statusCode());
  }
}
