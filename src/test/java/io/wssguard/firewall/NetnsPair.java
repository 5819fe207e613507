package io.wssguard.firewall;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * Two network namespaces joined by a veth pair, for loading firewall rules into a real kernel
 * without touching the host's: a "server" one with one IPv4 and one IPv6 address, and a "client"
 * one with several of each, so a test can connect from a banned and from an innocent address.
 * Client IPv6 addresses may lie in other /64s than the server's (to ban one /64 and not another);
 * host routes both ways make them reachable.
 *
 * <p>Needs root, {@code ip netns} (iproute2) and python3 (the connect probe). {@link
 * #assumeAvailable} skips a test class with a message when they are missing. {@link #close} deletes
 * both namespaces, and with them every rule, set and process-less socket in them.
 */
final class NetnsPair implements AutoCloseable {
  private static final String CONNECT =
      """
      import socket, sys
      src, dst, port, timeout = sys.argv[1], sys.argv[2], int(sys.argv[3]), float(sys.argv[4])
      s = socket.socket(socket.AF_INET6 if ':' in dst else socket.AF_INET)
      s.settimeout(timeout)
      s.bind((src, 0))
      try:
          s.connect((dst, port))
          print('connected')
      except socket.timeout:
          print('timeout')
          sys.exit(2)
      except ConnectionRefusedError:
          print('refused')
          sys.exit(3)
      except OSError as e:
          print(e)
          sys.exit(1)
      """;

  /** What a TCP connect attempt came to. */
  enum Connect {
    CONNECTED,
    /** no answer: what a DROP rule does */
    TIMEOUT,
    /** a reset: nothing listens, or a REJECT rule */
    REFUSED,
    OTHER
  }

  record Result(String command, int exit, String output) {}

  final String server;
  final String client;
  final String server4;
  final String server6;

  private NetnsPair(String tag, String server4, String server6) {
    String id = Integer.toHexString(ThreadLocalRandom.current().nextInt(0x100000, 0xFFFFFF));
    this.server = "wsg-" + tag + "-" + id + "-s";
    this.client = "wsg-" + tag + "-" + id + "-c";
    this.server4 = server4;
    this.server6 = server6;
  }

  static void assumeAvailable(String testClass) throws Exception {
    Assumptions.assumeTrue(
        "root".equals(System.getProperty("user.name")),
        testClass + " skipped: needs root to create network namespaces and load firewall rules");
    Assumptions.assumeTrue(
        exec(List.of("ip", "netns", "list"), "").exit == 0,
        testClass + " skipped: 'ip netns' is not available (install iproute2)");
  }

  /**
   * Creates the pair. Server addresses get a /24 and a /64, client addresses the same prefix
   * lengths.
   *
   * @param tag a few letters naming the test, part of the namespace names
   */
  static NetnsPair create(
      String tag, String server4, String server6, List<String> client4, List<String> client6)
      throws Exception {
    NetnsPair pair = new NetnsPair(tag, server4, server6);
    try {
      pair.setUp(client4, client6);
      return pair;
    } catch (Exception | AssertionError e) {
      pair.close();
      throw e;
    }
  }

  private void setUp(List<String> client4, List<String> client6) throws Exception {
    ok("ip", "netns", "add", server);
    ok("ip", "netns", "add", client);
    ok(
        "ip", "-n", server, "link", "add", "wsg0", "type", "veth", "peer", "name", "wsg1", "netns",
        client);
    for (String ns : List.of(server, client)) {
      ok("ip", "-n", ns, "link", "set", "lo", "up");
    }
    ok("ip", "-n", server, "addr", "add", server4 + "/24", "dev", "wsg0");
    ok("ip", "-n", server, "addr", "add", server6 + "/64", "dev", "wsg0", "nodad");
    ok("ip", "-n", server, "link", "set", "wsg0", "up");
    for (String a : client4) {
      ok("ip", "-n", client, "addr", "add", a + "/24", "dev", "wsg1");
    }
    for (String a : client6) {
      ok("ip", "-n", client, "addr", "add", a + "/64", "dev", "wsg1", "nodad");
    }
    ok("ip", "-n", client, "link", "set", "wsg1", "up");
    // Both ends on one link: host routes make every client address reachable, whatever its /64.
    ok("ip", "-n", client, "-6", "route", "replace", server6, "dev", "wsg1");
    for (String a : client6) {
      ok("ip", "-n", server, "-6", "route", "replace", a, "dev", "wsg0");
    }
  }

  @Override
  public void close() throws Exception {
    exec(List.of("ip", "netns", "del", client), "");
    exec(List.of("ip", "netns", "del", server), "");
  }

  /** A command's argv with {@code ip netns exec SERVER} in front. */
  List<String> inServer(List<String> command) {
    List<String> full = new ArrayList<>(List.of("ip", "netns", "exec", server));
    full.addAll(command);
    return full;
  }

  /** A command's argv with {@code ip netns exec CLIENT} in front. */
  List<String> inClient(List<String> command) {
    List<String> full = new ArrayList<>(List.of("ip", "netns", "exec", client));
    full.addAll(command);
    return full;
  }

  Result runInServer(List<String> command, String input) throws Exception {
    return exec(inServer(command), input);
  }

  Result runInClient(List<String> command, String input) throws Exception {
    return exec(inClient(command), input);
  }

  /**
   * One TCP connect from client address {@code from} to {@code to}, waiting at most {@code
   * timeoutSeconds}.
   */
  Connect connect(String from, String to, int port, double timeoutSeconds) throws Exception {
    Result r =
        runInClient(
            List.of(
                "python3",
                "-c",
                CONNECT,
                from,
                to,
                Integer.toString(port),
                Double.toString(timeoutSeconds)),
            "");
    return switch (r.exit) {
      case 0 -> Connect.CONNECTED;
      case 2 -> Connect.TIMEOUT;
      case 3 -> Connect.REFUSED;
      default -> Connect.OTHER;
    };
  }

  static void ok(String... command) throws Exception {
    assertOk(exec(List.of(command), ""));
  }

  static void assertOk(Result r) {
    assertEquals(0, r.exit, r.command + ": " + r.output);
  }

  static Result exec(List<String> command, String input) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    try (var stdin = p.getOutputStream()) {
      stdin.write(input.getBytes(StandardCharsets.UTF_8));
    }
    // Outputs here are small (a ruleset listing at most), so reading after writing cannot deadlock.
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(20, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      fail(String.join(" ", command) + ": no answer within 20 s");
    }
    return new Result(String.join(" ", command), p.exitValue(), output);
  }
}
