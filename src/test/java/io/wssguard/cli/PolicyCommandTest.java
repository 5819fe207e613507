package io.wssguard.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.wssguard.traffic.SyntheticRecording;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code wssguard policy check} and {@code explain}: exit codes, and what goes to stdout and
 * stderr.
 */
class PolicyCommandTest {
  private static final String CONFIG =
      """
      listeners:
        - name: public
          bind: 127.0.0.1:0
      backends:
        demo:
          servers: [ws://127.0.0.1:9000/]
      routes:
        - path: /chat
          backend: demo
          policy: chat
        - backend: demo
      """;

  @TempDir Path dir;

  private record Result(int exit, String out, String err) {}

  private static Result wssguard(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cli = new CommandLine(new Main());
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    int exit = cli.execute(args);
    return new Result(exit, out.toString(), err.toString());
  }

  private Path write(String name, String text) throws Exception {
    Path file = dir.resolve(name);
    Files.createDirectories(file.getParent());
    return Files.writeString(file, text);
  }

  @Test
  void check_printsOk_andExits0_forValidFiles() throws Exception {
    Path a = write("a.yaml", "policies:\n  chat: {}\n  feed: {}\n");
    Path b = write("b.yaml", "policies:\n  admin: {mode: monitor}\n");

    assertEquals(
        new Result(0, "ok: 3 policies in 2 files\n", ""),
        wssguard("policy", "check", a.toString(), b.toString()));
    assertEquals(
        new Result(0, "ok: 1 policy in 1 file\n", ""),
        wssguard("policy", "check", "policies/default.yaml"));
  }

  @Test
  void check_printsEveryErrorPositioned_andExits2() throws Exception {
    Path a =
        write(
            "a.yaml",
            "policies:\n  chat:\n    mode: loud\n    perIp: {connections: {max: 0, action: reject}}\n");
    Path b = write("b.yaml", "policies:\n  chat: {}\n");

    assertEquals(
        new Result(
            2,
            "",
            a
                + ":3:11: policies.chat.mode: loud (expected one of: enforce, monitor)\n"
                + a
                + ":4:32: policies.chat.perIp.connections.max: 0 (expected: integer 1..1000000)\n"
                + b
                + ":2:3: policies.chat: already defined at "
                + a
                + ":2:3 (expected: each policy name once across all"
                + " policy files)\n"),
        wssguard("policy", "check", a.toString(), b.toString()));
  }

  @Test
  void checkConfig_readsItsPoliciesDir_andFindsEveryRoutesPolicy() throws Exception {
    write("policies/chat.yaml", "policies:\n  chat: {}\n");
    write("policies/default.yml", "policies:\n  default: {}\n");
    Path config = write("wssguard.yaml", CONFIG + "policies:\n  dir: policies/\n");

    assertEquals(
        new Result(0, "ok: 2 policies in 2 files\n", ""),
        wssguard("policy", "check", "--config", config.toString()));
  }

  @Test
  void checkConfig_acceptsTheExampleConfig_withTheShippedPolicies() {
    assertEquals(
        new Result(0, "ok: 1 policy in 1 file\n", ""),
        wssguard("policy", "check", "--config", "examples/wssguard.yaml"));
  }

  @Test
  void checkConfig_withoutPoliciesBlock_usesTheEmbeddedDefault() throws Exception {
    Path config = write("wssguard.yaml", CONFIG.replace("    policy: chat\n", ""));

    assertEquals(
        new Result(0, "ok: 1 policy in 1 file (the embedded default policy)\n", ""),
        wssguard("policy", "check", "--config", config.toString()));
  }

  @Test
  void checkConfig_reportsRoutesWithUnknownPolicies_andExits2() throws Exception {
    Path config = write("wssguard.yaml", CONFIG);

    assertEquals(
        new Result(
            2,
            "",
            config + ": routes[0].policy: unknown policy 'chat' (expected one of: default)\n"),
        wssguard("policy", "check", "--config", config.toString()));
  }

  @Test
  void checkConfig_reportsAMissingPoliciesDir() throws Exception {
    Path config = write("wssguard.yaml", CONFIG + "policies:\n  dir: nowhere/\n");

    assertEquals(
        new Result(2, "", dir.resolve("nowhere") + ": cannot read: no such directory\n"),
        wssguard("policy", "check", "--config", config.toString()));
  }

  @Test
  void check_needsFilesOrConfig_notBoth() {
    assertEquals(2, wssguard("policy", "check").exit());
    assertEquals(2, wssguard("policy", "check", "a.yaml", "--config", "b.yaml").exit());
  }

  @Test
  void explain_describesTheDefaultPolicyInSentences() {
    Result r = wssguard("policy", "explain", "policies/default.yaml");

    assertEquals("", r.err());
    assertEquals(0, r.exit());
    assertEquals(
        """
        Policy 'default' (policies/default.yaml:%d), enforced:
          Request headers may be up to 8 KiB; larger requests are refused with 431.
          Any origin, subprotocol and path is accepted.
          Each IP address may open 20 new connections per second, in bursts of up to 40; more are refused with 429\
         and count as a strike.
          Each IP address may hold at most 64 connections at once; more are refused with 429 and count as a strike.
          Each connection may send 100 messages per second (control frames included), in bursts of up to 200; more\
         close the connection with 1008 and count as a strike.
          Each message may be up to 1 MiB; a larger one closes the connection with 1009 and counts as a strike.
          Any address may connect.
          X-Forwarded-For is believed from nobody: the client is the address that connected.
          IPv6 clients are counted per /64 block, and also per /56 (4 times the per-IP budget) and per /48 (16\
         times) for new connections and connections held (ipv6Blocks): a block over its budget is refused with 429\
         like an address, so rotating through the /64s of one /48 does not multiply the budget.
          5 strikes within 10 minutes ban the IP address (IPv6: its /64) for 15 minutes: until then its new\
         connections are closed right after accept, before TLS and HTTP (behind a PROXY-protocol load balancer,\
         right after the header), with no answer; a client named by a trusted proxy's X-Forwarded-For gets 403.
          3 such bans inside one IPv6 /48 within 10 minutes ban the whole /48 for 15 minutes.
        """
            .formatted(defaultLine()),
        r.out());
  }

  @Test
  void explain_saysWhatMonitorModeMeans_andDescribesEveryLimit() throws Exception {
    Path file =
        write(
            "chat.yaml",
            """
        policies:
          chat:
            mode: monitor
            handshake:
              origins: ["https://*.example.com"]
              requiredHeaders: [Authorization]
              paths: ["/chat/**"]
            perIp:
              messages: {rate: 30/m, burst: 20, action: drop}
              bytes: {rate: 8MiB/s, burst: 16MiB, action: throttle, strike: true}
            perConnection:
              bytes: {rate: 1MiB/s, burst: 2MiB, action: throttle}
              maxMessageBytes: {max: 1MiB, action: drop}
              maxFrameBytes: {max: 64KiB, action: close}
              maxFragments: {max: 16, action: close, strike: true}
              controlFrames: {rate: 10/s, burst: 20, action: close}
            access:
              allow: [10.0.0.0/8]
              deny: [10.66.0.0/16]
              trustedProxies: ["2001:db8::1"]
              ipv6Prefix: 56
        """);

    assertEquals(
        new Result(
            0,
            """
        Policy 'chat' (%s:2), monitor mode:
          Monitor mode: nothing is refused, dropped, throttled, closed or banned because of this policy; each time a\
         limit below would act, that is counted and logged instead.
          Request headers may be as large as the listener allows (timeouts.maxHeaderBytes).
          Only these origins are accepted, others are refused with 403: https://*.example.com.
          Any subprotocol is accepted.
          Only these paths are accepted, others are refused with 403: /chat/** (* matches within one segment, **\
         across segments).
          Handshakes without this header are refused with 403: Authorization.
          Each IP address may send 30 messages per minute over all its connections together (control frames\
         included), in bursts of up to 20; more are dropped (the connection stays open and the backend never sees\
         them).
          Each IP address may send 8 MiB of payload per second over all its connections together, in bursts of up to\
         16 MiB; beyond that, wssguard stops reading from its connections until the budget refills, and going over\
         counts as a strike.
          Each connection may send 1 MiB of payload per second, in bursts of up to 2 MiB; beyond that, wssguard stops\
         reading from the client until the budget refills.
          Each message may be up to 1 MiB; a larger one is dropped (the connection stays open).
          Each frame may carry up to 64 KiB; a larger one closes the connection with 1009.
          A message may be split into at most 16 frames; a message split further closes the connection with 1008 and\
         counts as a strike.
          Each connection may send 10 ping and pong frames per second, in bursts of up to 20; more close the\
         connection with 1008.
          Only addresses in 10.0.0.0/8 may connect; others are refused with 403.
          Addresses in 10.66.0.0/16 are refused with 403.
          X-Forwarded-For is believed only from 2001:db8::1/128.
          IPv6 clients are counted per /56 block.
          Nobody is banned: there is no strikes block.
        """
                .formatted(file),
            ""),
        wssguard("policy", "explain", file.toString()));
  }

  @Test
  void explain_namesTheIpv6BlockBudgets_orTheirAbsence_andTheEscalation() throws Exception {
    Path file =
        write(
            "v6.yaml",
            """
        policies:
          wide:
            perIp:
              connections: {max: 10, action: reject}
              ipv6Blocks: {40: {factor: 8}}
            access: {ipv6Prefix: 56}
            strikes: {max: 2, window: 1m, ban: 1h, protocolViolations: true}
          flat:
            perIp:
              handshakes: {rate: 5/s, burst: 5, action: reject}
              ipv6Blocks: {}
            strikes: {max: 2, window: 1m, ban: 1h}
        """);

    String out = wssguard("policy", "explain", file.toString()).out();

    assertEquals(
        List.of(
            "  IPv6 clients are counted per /56 block, and also per /40 (8 times the per-IP budget)"
                + " for connections held (ipv6Blocks): a block over its budget is refused with 429"
                + " like an address, so rotating through the /56s of one /40 does not multiply the"
                + " budget.",
            "  2 strikes within 1 minute ban the IP address (IPv6: its /56) for 1 hour: until then"
                + " its new connections are closed right after accept, before TLS and HTTP (behind a"
                + " PROXY-protocol load balancer, right after the header), with no answer; a client"
                + " named by a trusted proxy's X-Forwarded-For gets 403.",
            "  A client that breaks the WebSocket protocol after the upgrade (closed with 1002, or"
                + " 1007 for invalid UTF-8) counts as a strike.",
            "  3 such bans inside one IPv6 /40 within 1 minute ban the whole /40 for 1 hour.",
            "  IPv6 clients are counted per /64 block only: no wider block has a budget of its own,"
                + " so a client that rotates through the blocks of its network gets the per-IP"
                + " budgets once per block.",
            "  2 strikes within 1 minute ban the IP address (IPv6: its /64) for 1 hour: until then"
                + " its new connections are closed right after accept, before TLS and HTTP (behind a"
                + " PROXY-protocol load balancer, right after the header), with no answer; a client"
                + " named by a trusted proxy's X-Forwarded-For gets 403."),
        out.lines()
            .filter(
                l ->
                    l.contains("IPv6")
                        || l.contains("strikes within")
                        || l.contains("WebSocket protocol"))
            .toList());
    assertFalse(out.contains("refused with 403 until"), out);
  }

  @Test
  void explain_printsErrors_andExits2_forABadFile() throws Exception {
    Path file = write("bad.yaml", "policies:\n  chat: {mode: loud}\n");

    assertEquals(
        new Result(
            2, "", file + ":2:16: policies.chat.mode: loud (expected one of: enforce, monitor)\n"),
        wssguard("policy", "explain", file.toString()));
  }

  private static int defaultLine() {
    try {
      return Files.readAllLines(Path.of("policies/default.yaml")).indexOf("  default:") + 1;
    } catch (java.io.IOException e) {
      throw new AssertionError(e);
    }
  }

  @Test
  void replay_exits2_whenTheFileHasNoSuchPolicy() throws Exception {
    Path file = write("p.yaml", "policies:\n  chat: {}\n  feed: {}\n");
    Result r =
        wssguard("policy", "replay", "--traffic", dir.toString(), "--policy", file.toString());
    assertEquals(2, r.exit());
    assertEquals(
        file + ": no policy 'default' (expected one of: chat, feed; or --name)\n", r.err());
  }

  @Test
  void replay_exits2_whenTheDirectoryHoldsNoRecording() throws Exception {
    Path file = write("p.yaml", "policies:\n  chat: {}\n");
    Result r =
        wssguard("policy", "replay", "--traffic", dir.toString(), "--policy", file.toString());
    assertEquals(2, r.exit());
    assertEquals(dir + ": no recording files (expected: traffic-*.wsgt)\n", r.err());
  }

  private Path recording() throws Exception {
    Path traffic = dir.resolve("traffic");
    SyntheticRecording r = new SyntheticRecording();
    for (int i = 0; i < 10; i++) {
      r.client("10.0.0." + (10 + i), "/chat", 5, 100);
    }
    r.client("10.0.0.99", "/feed", 1, 100);
    r.write(traffic, 3);
    return traffic;
  }

  @Test
  void suggest_printsAPolicyThatCheckAccepts() throws Exception {
    Path traffic = recording();
    Result r = wssguard("policy", "suggest", "--traffic", traffic.toString(), "--route", "/chat");
    assertEquals(0, r.exit(), r.err());
    assertTrue(r.out().contains("(1 route: /chat)"), r.out());
    // 10 sources but 10 connections: said, not hidden.
    assertTrue(
        r.out()
            .contains(
                "# CAUTION: too little traffic for figures to be trusted (at least 10 sources and"
                    + " 20 connections wanted).\n"),
        r.out());
    assertTrue(r.out().contains("messages: {rate: 10/s, burst: 10,"), r.out());
    Path file = write("suggested.yaml", r.out());
    assertEquals(
        new Result(0, "ok: 1 policy in 1 file\n", ""),
        wssguard("policy", "check", file.toString()));
  }

  @Test
  void suggest_exits2_forABadMarginOrName_orARouteWithNoTraffic() throws Exception {
    Path traffic = recording();
    assertEquals(
        new Result(2, "", "--margin: 0.5 (expected: a number 1..100)\n"),
        wssguard("policy", "suggest", "--traffic", traffic.toString(), "--margin", "0.5"));
    assertEquals(
        new Result(2, "", "--name: 'Chat' (expected: lower-case letters, digits and -)\n"),
        wssguard("policy", "suggest", "--traffic", traffic.toString(), "--name", "Chat"));
    assertEquals(
        new Result(
            2, "", traffic + ": no connections recorded on route /api; nothing to learn from\n"),
        wssguard("policy", "suggest", "--traffic", traffic.toString(), "--route", "/api"));
  }

  @Test
  void replayAgainst_choosesTheOldPolicyByAgainstName_elseByName() throws Exception {
    Path traffic = recording();
    Path now = write("now.yaml", "policies:\n  chat: {}\n");
    Path old = write("old.yaml", "policies:\n  chat: {}\n  feed: {}\n");
    String[] base = {
      "policy",
      "replay",
      "--traffic",
      traffic.toString(),
      "--policy",
      now.toString(),
      "--against",
      old.toString()
    };
    Result noName = wssguard(base);
    assertEquals(2, noName.exit());
    assertEquals(
        old + ": no policy 'default' (expected one of: chat, feed; or --against-name)\n",
        noName.err());
    Result byName = wssguard(concat(base, "--name", "chat"));
    assertEquals(0, byName.exit(), byName.err());
    assertTrue(byName.out().contains("  against 'chat': 11 connections admitted"), byName.out());
    Result byAgainstName = wssguard(concat(base, "--against-name", "feed", "--json"));
    assertEquals(0, byAgainstName.exit(), byAgainstName.err());
    assertTrue(
        byAgainstName.out().contains("\"against\":{\"name\":\"feed\",\"connections\":11,"),
        byAgainstName.out());
  }

  private static String[] concat(String[] a, String... b) {
    String[] all = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, all, a.length, b.length);
    return all;
  }
}
