package io.wssguard.firewall;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.wssguard.testing.Await;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The packaged proxy bans into the kernel: {@code java -jar target/wssguard.jar run} inside a
 * "server" network namespace, with plain IPv4 and IPv6 listeners, the demo backend, a policy that
 * bans after three refused handshakes, a ban journal, and a firewall backend applying directly.
 * From a client namespace, an abusive address floods handshakes until refused with 429 and then
 * closed right after accept; within about two seconds it can no longer complete a TCP handshake,
 * while a good address still gets its 101; when the ban ends, it gets in again. The ipset case also
 * stops the proxy with SIGTERM, wipes the kernel rules, and starts it again: the journal is
 * replayed and the ban is back in the kernel until it ends.
 *
 * <p>Needs root, iproute2, python3 and the firewall tools ({@link NetnsPair}); every wait is
 * bounded, and the proxy and the namespaces are gone after each test.
 */
class ProxyBansNetnsIT {
  private static final Path JAR = Path.of("target/wssguard.jar").toAbsolutePath();
  private static final int PORT = 8080;
  private static final String SERVER4 = "10.212.0.1";
  private static final String SERVER6 = "fd00:212::1";
  private static final String ABUSIVE4 = "10.212.0.2";
  private static final String GOOD4 = "10.212.0.3";

  /**
   * Banned as its /64 (the policy's default IPv6 prefix), so the good IPv6 client sits in another
   * /64.
   */
  private static final String ABUSIVE6 = "fd00:212::2";

  private static final String GOOD6 = "fd00:212:1::3";
  private static final Duration BAN = Duration.ofSeconds(8);
  // Long enough for two proxy starts on a loaded machine; the test does not wait for its end.
  private static final Duration RESTART_BAN = Duration.ofMinutes(2);

  /**
   * Opening handshakes, one connection each, until one is closed without an answer (banned) or
   * cannot connect; prints the statuses.
   */
  private static final String HANDSHAKES =
      """
      import socket, sys
      src, dst, port, attempts = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
      host = '[%s]' % dst if ':' in dst else dst
      request = ('GET / HTTP/1.1\\r\\nHost: %s:%d\\r\\nUpgrade: websocket\\r\\nConnection: Upgrade\\r\\n'
                 'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\\r\\nSec-WebSocket-Version: 13\\r\\n\\r\\n'
                 % (host, port)).encode()
      statuses = []
      for _ in range(attempts):
          s = socket.socket(socket.AF_INET6 if ':' in dst else socket.AF_INET)
          s.settimeout(1.0)
          s.bind((src, 0))
          try:
              s.connect((dst, port))
              s.sendall(request)
              head = b''
              while b'\\r\\n' not in head:
                  chunk = s.recv(4096)
                  if not chunk:
                      break
                  head += chunk
              statuses.append(head.split(b' ')[1].decode() if head.startswith(b'HTTP/1.1 ') else 'closed')
          except OSError as e:
              statuses.append(type(e).__name__)
          finally:
              s.close()
          if statuses[-1] != '101' and statuses[-1] != '429':
              break
      print(' '.join(statuses))
      """;

  @TempDir Path dir;
  private NetnsPair net;
  private Process proxy;
  private Path log;
  private int starts;

  @BeforeAll
  static void needsRootAndNamespaces() throws Exception {
    NetnsPair.assumeAvailable("ProxyBansNetnsIT");
  }

  @BeforeEach
  void namespaces() throws Exception {
    net =
        NetnsPair.create(
            "px", SERVER4, SERVER6, List.of(ABUSIVE4, GOOD4), List.of(ABUSIVE6, GOOD6));
  }

  @AfterEach
  void stopProxyAndDeleteNamespaces() throws Exception {
    try {
      if (proxy != null) {
        proxy.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    } finally {
      if (net != null) {
        net.close();
      }
    }
  }

  @ParameterizedTest
  @EnumSource(FirewallConfig.Backend.class)
  void abusiveSourceIsDroppedByTheKernel_goodOnesGetIn_andTheBanEndsOnTime(
      FirewallConfig.Backend backend) throws Exception {
    configure(backend, BAN);
    startProxy();

    long bannedAt = System.nanoTime();
    floodUntilBanned(ABUSIVE4, SERVER4);
    floodUntilBanned(ABUSIVE6, SERVER6);
    awaitDropped(ABUSIVE4, SERVER4, Duration.ofSeconds(2));
    awaitDropped(ABUSIVE6, SERVER6, Duration.ofSeconds(2));
    assertEquals("101", handshakes(GOOD4, SERVER4, 1), "a good IPv4 client must still get in");
    assertEquals(
        "101", handshakes(GOOD6, SERVER6, 1), "a good IPv6 client (another /64) must still get in");

    awaitBackIn(bannedAt, BAN);
  }

  @Test
  void banSurvivesARestart_journalReplayedAndRulesReappliedAtStart() throws Exception {
    configure(FirewallConfig.Backend.IPSET, RESTART_BAN);
    startProxy();
    long bannedAt = System.nanoTime();
    floodUntilBanned(ABUSIVE4, SERVER4);
    floodUntilBanned(ABUSIVE6, SERVER6);
    awaitDropped(ABUSIVE4, SERVER4, Duration.ofSeconds(2));
    awaitDropped(ABUSIVE6, SERVER6, Duration.ofSeconds(2));

    proxy.destroy(); // SIGTERM
    assertTrue(proxy.waitFor(15, TimeUnit.SECONDS), "proxy did not stop on SIGTERM:\n" + log());
    assertEquals(0, proxy.exitValue(), log());
    String journal = Files.readString(dir.resolve("state/bans.journal"));
    assertTrue(
        journal.contains("ban\t" + ABUSIVE4 + "\t") && journal.contains("ban\tfd00:212::/64\t"),
        journal);
    // Take the rules out of the kernel, so only the next start can have put them back.
    for (String tool : List.of("iptables", "ip6tables")) {
      NetnsPair.assertOk(net.runInServer(List.of(tool, "-F"), ""));
      NetnsPair.assertOk(net.runInServer(List.of(tool, "-X"), ""));
    }
    NetnsPair.assertOk(net.runInServer(List.of("ipset", "destroy"), ""));
    assertEquals(
        NetnsPair.Connect.REFUSED, net.connect(ABUSIVE4, SERVER4, PORT, 1.0), "rules must be gone");

    startProxy();
    assertTrue(log().contains("2 active ban(s) replayed"), log());
    awaitDropped(ABUSIVE4, SERVER4, Duration.ofSeconds(3));
    awaitDropped(ABUSIVE6, SERVER6, Duration.ofSeconds(3));
    assertEquals("101", handshakes(GOOD4, SERVER4, 1));
    assertEquals("101", handshakes(GOOD6, SERVER6, 1));

    // The replayed ban keeps its end: the kernel entry times out when what is left of it runs out,
    // not a whole ban after the restart (ProxyBansNetnsIT's first test waits out a real end).
    long left = kernelTimeoutSeconds(ABUSIVE4);
    long elapsed = Duration.ofNanos(System.nanoTime() - bannedAt).toSeconds();
    assertTrue(
        left > 0 && left <= RESTART_BAN.toSeconds() - elapsed + 1,
        "ipset timeout " + left + " s, " + elapsed + " s into a " + RESTART_BAN + " ban");
  }

  /** The seconds left on {@code address}'s entry in the kernel's ban sets. */
  private long kernelTimeoutSeconds(String address) throws Exception {
    NetnsPair.Result sets = net.runInServer(List.of("ipset", "list"), "");
    NetnsPair.assertOk(sets);
    return sets.output()
        .lines()
        .filter(l -> l.startsWith(address + " timeout "))
        .map(l -> Long.parseLong(l.substring((address + " timeout ").length()).split(" ", -1)[0]))
        .findFirst()
        .orElseThrow(() -> new AssertionError(address + " not in the ban sets:\n" + sets.output()));
  }

  private void configure(FirewallConfig.Backend backend, Duration ban) throws Exception {
    Files.createDirectories(dir.resolve("policies"));
    Files.writeString(
        dir.resolve("policies/strict.yaml"),
        """
        policies:
          strict:
            perIp:
              handshakes: {rate: 2/s, burst: 2, action: reject, strike: true}
            strikes: {max: 3, window: 1m, ban: %ds}
        """
            .formatted(ban.toSeconds()));
    Files.writeString(
        dir.resolve("wssguard.yaml"),
        """
        listeners:
          - {name: v4, bind: "%s:%d"}
          - {name: v6, bind: "[%s]:%2$d"}
        backends:
          demo: {servers: ["ws://127.0.0.1:9000/"]}
        routes:
          - {backend: demo, policy: strict}
        timeouts:
          drain: 1s
        demoBackend:
          bind: 127.0.0.1:9000
        policies:
          dir: policies
        bans:
          journal: state/bans.journal
          firewall:
            backend: %s
            apply: true
        """
            .formatted(SERVER4, PORT, SERVER6, backend.name().toLowerCase(Locale.ROOT)));
  }

  private void startProxy() throws Exception {
    log = dir.resolve("proxy-" + ++starts + ".log");
    List<String> cmd =
        net.inServer(
            List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:TieredStopAtLevel=1",
                "-jar",
                JAR.toString(),
                "run",
                "--config",
                "wssguard.yaml"));
    proxy =
        new ProcessBuilder(cmd)
            .directory(dir.toFile())
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .start();
    Await.until(
        () -> {
          assertTrue(proxy.isAlive(), () -> "proxy exited:\n" + log());
          return log().contains(" started\n");
        },
        Duration.ofSeconds(30),
        () -> "proxy start:\n" + log());
  }

  private String log() {
    try {
      return Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "";
    } catch (IOException e) {
      return "(proxy log unreadable: " + e + ")";
    }
  }

  private String handshakes(String from, String to, int attempts) throws Exception {
    NetnsPair.Result r =
        net.runInClient(
            List.of(
                "python3",
                "-c",
                HANDSHAKES,
                from,
                to,
                Integer.toString(PORT),
                Integer.toString(attempts)),
            "");
    NetnsPair.assertOk(r);
    return r.output().strip();
  }

  /**
   * Handshakes until refused: two pass (burst 2), three get 429 (three strikes), then the ban
   * closes the next connection right after accept, without an answer.
   */
  private void floodUntilBanned(String from, String to) throws Exception {
    String statuses = handshakes(from, to, 12);
    assertTrue(
        statuses.matches("(101 )*429 429 429 (closed|ConnectionResetError)"),
        from + " got: " + statuses + "\n" + log());
  }

  private void awaitDropped(String from, String to, Duration within) throws Exception {
    Await.until(
        () -> net.connect(from, to, PORT, 0.3) == NetnsPair.Connect.TIMEOUT,
        within,
        () -> from + " is banned but still reaches " + to + "\n" + log());
  }

  /** Both abusive addresses connect again once the ban ends, and not much before. */
  private void awaitBackIn(long bannedAt, Duration ban) throws Exception {
    for (String from : List.of(ABUSIVE4, ABUSIVE6)) {
      String to = from.contains(":") ? SERVER6 : SERVER4;
      Await.until(
          () -> net.connect(from, to, PORT, 0.3) == NetnsPair.Connect.CONNECTED,
          Duration.ofNanos(bannedAt + ban.plusSeconds(5).toNanos() - System.nanoTime()),
          () -> from + " still kept out " + ban.plusSeconds(5) + " after the ban began\n" + log());
      Duration after = Duration.ofNanos(System.nanoTime() - bannedAt);
      assertTrue(
          after.compareTo(ban.minusSeconds(2)) >= 0,
          from + " got in after only " + after + " of " + ban);
    }
  }
}
