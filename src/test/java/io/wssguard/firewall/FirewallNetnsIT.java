package io.wssguard.firewall;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.wssguard.ban.Ban;
import io.wssguard.net.Cidr;
import io.wssguard.testing.Await;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Rendered rules loaded into real kernels: two network namespaces joined by a veth pair, a TCP
 * listener in the "server" one, and clients connecting from two addresses per family in the
 * "client" one. For each backend, a banned address can no longer connect while the other still can,
 * re-applying changes nothing, an ended ban lets the client back in, and rules that wssguard does
 * not own survive.
 *
 * <p>Needs root and {@code ip netns} (iproute2), python3 and the firewall tools ({@link
 * NetnsPair}); skipped with a message only when not root or when namespaces cannot be made. Every
 * wait is bounded; the namespaces are deleted after each test.
 */
class FirewallNetnsIT {
  private static final int PORT = 8443;
  private static final int UNPROTECTED_PORT = 9000;
  private static final String SERVER4 = "10.211.0.1";
  private static final String SERVER6 = "fd00:211::1";
  private static final String BANNED4 = "10.211.0.2";
  private static final String OTHER4 = "10.211.0.3";
  private static final String BANNED6 = "fd00:211::2";
  private static final String OTHER6 = "fd00:211::3";
  private static final double BLOCKED_TIMEOUT_S = 1.0;
  private static final String LISTENER =
      """
      import socket, threading
      def serve(port):
          s = socket.socket(socket.AF_INET6)
          s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
          s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
          s.bind(('::', port))
          s.listen(128)
          while True:
              c, _ = s.accept()
              c.close()
      threading.Thread(target=serve, args=(%d,), daemon=True).start()
      serve(%d)
      """
          .formatted(UNPROTECTED_PORT, PORT);

  private NetnsPair net;
  private FirewallApplier applier;
  private Process listener;

  @BeforeAll
  static void needsRootAndNamespaces() throws Exception {
    NetnsPair.assumeAvailable("FirewallNetnsIT");
  }

  @BeforeEach
  void namespaces() throws Exception {
    net =
        NetnsPair.create(
            "fw", SERVER4, SERVER6, List.of(BANNED4, OTHER4), List.of(BANNED6, OTHER6));
    listener =
        new ProcessBuilder(net.inServer(List.of("python3", "-c", LISTENER)))
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.DISCARD)
            .start();
    Await.until(
        () -> {
          assertTrue(listener.isAlive(), "listener in " + net.server + " exited");
          return connects(OTHER4, SERVER4, PORT) && connects(OTHER6, SERVER6, PORT);
        },
        Duration.ofSeconds(30),
        "listener in " + net.server + " coming up");
    applier = new FirewallApplier(List.of("ip", "netns", "exec", net.server));
  }

  @AfterEach
  void deleteNamespaces() throws Exception {
    if (listener != null) {
      listener.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
    }
    if (net != null) {
      net.close();
    }
  }

  @ParameterizedTest
  @EnumSource(FirewallConfig.Backend.class)
  void bannedSourceCannotConnect_othersCan_reapplyIsIdempotent_foreignRulesSurvive(
      FirewallConfig.Backend backend) throws Exception {
    addForeignRules();
    FirewallConfig cfg = FirewallConfig.of(backend, List.of(443, PORT));
    Instant now = Instant.now();
    List<Ban> bans =
        List.of(
            ban(BANNED4, now.plus(Duration.ofMinutes(10))),
            ban(BANNED6, now.plus(Duration.ofMinutes(10))));

    applier.apply(bans, cfg, now);
    assertBlocked(BANNED4, SERVER4);
    assertBlocked(BANNED6, SERVER6);
    assertTrue(connects(OTHER4, SERVER4, PORT), "the other IPv4 address must still get in");
    assertTrue(connects(OTHER6, SERVER6, PORT), "the other IPv6 address must still get in");
    assertTrue(connects(BANNED4, SERVER4, UNPROTECTED_PORT), "bans cover the protected ports only");

    String before = kernelState();
    applier.apply(bans, cfg, Instant.now());
    applier.apply(bans, cfg, Instant.now());
    assertEquals(before, kernelState(), "re-applying the same bans must change nothing");
    assertBlocked(BANNED4, SERVER4);
    assertBlocked(BANNED6, SERVER6);
    assertForeignRulesSurvive();

    applier.apply(List.of(), cfg, Instant.now());
    assertTrue(connects(BANNED4, SERVER4, PORT), "unbanned IPv4 address must get in again");
    assertTrue(connects(BANNED6, SERVER6, PORT), "unbanned IPv6 address must get in again");
    assertForeignRulesSurvive();
  }

  @ParameterizedTest
  @EnumSource(FirewallConfig.Backend.class)
  void endedBanLetsTheClientBackIn(FirewallConfig.Backend backend) throws Exception {
    FirewallConfig cfg = FirewallConfig.of(backend, List.of(PORT));
    Instant now = Instant.now();
    // Far longer than the blocked checks take, however loaded the machine.
    Instant until = now.plus(Duration.ofMinutes(10));
    List<Ban> bans = List.of(ban(BANNED4, until), ban(BANNED6, until));
    applier.apply(bans, cfg, now);
    assertBlocked(BANNED4, SERVER4);
    assertBlocked(BANNED6, SERVER6);
    // The renderers are functions of the time they render for: re-applied as of shortly before the
    // end, ipset and nftables get kernel entries that time out by themselves two seconds later;
    // plain iptables has no timeouts and is re-applied after the end.
    Instant rendered = backend == FirewallConfig.Backend.IPTABLES ? until : until.minusSeconds(2);
    applier.apply(bans, cfg, rendered);
    Await.until(
        () -> connects(BANNED4, SERVER4, PORT) && connects(BANNED6, SERVER6, PORT),
        Duration.ofSeconds(15),
        () -> backend + ": the ban ended but the client is still kept out");
  }

  @Test
  void shippedAndRenderedFiles_passTheToolsOwnChecks_andStaticRulesLoad() throws Exception {
    // The static rules match the ban sets, so they must exist first.
    applier.apply(
        List.of(),
        FirewallConfig.of(FirewallConfig.Backend.IPSET, List.of(443, PORT)),
        Instant.now());
    String v4 = Files.readString(Path.of("iptables/rules.v4"));
    String v6 = Files.readString(Path.of("iptables/rules.v6"));
    assertOk(inServer(List.of("iptables-restore", "--test"), v4));
    assertOk(inServer(List.of("ip6tables-restore", "--test"), v6));

    Instant now = Instant.now();
    List<Ban> bans =
        List.of(
            ban(BANNED4, now.plusSeconds(60)),
            ban("198.51.100.0/24", now.plusSeconds(60)),
            ban("198.51.100.7", now.plusSeconds(90)),
            ban(BANNED6, now.plusSeconds(60)),
            ban("2001:db8::/48", now.plusSeconds(60)));
    FirewallConfig cfg =
        FirewallConfig.of(FirewallConfig.Backend.NFTABLES, List.of(443, PORT))
            .withVerdict(FirewallConfig.Verdict.REJECT);
    assertOk(inServer(List.of("nft", "-c", "-f", "-"), NftablesRenderer.render(bans, cfg, now)));
    for (Family family : Family.values()) {
      assertOk(
          inServer(
              List.of(family.restore, "--test"),
              IptablesRenderer.chainRestore(bans, cfg, family, now)));
      assertOk(
          inServer(List.of(family.restore, "--test"), IpsetRenderer.chainRestore(cfg, family)));
    }

    // Loaded for real and hooked into INPUT as iptables/README.md says, a well-behaved client still
    // gets in.
    assertOk(inServer(List.of("iptables-restore", "--noflush"), v4));
    assertOk(inServer(List.of("ip6tables-restore", "--noflush"), v6));
    for (String tool : List.of("iptables", "ip6tables")) {
      assertOk(
          inServer(
              List.of(
                  tool,
                  "-I",
                  "INPUT",
                  "1",
                  "-p",
                  "tcp",
                  "-m",
                  "multiport",
                  "--dports",
                  "443,8443",
                  "-j",
                  StaticRules.CHAIN),
              ""));
    }
    assertTrue(connects(OTHER4, SERVER4, PORT));
    assertTrue(connects(OTHER6, SERVER6, PORT));
  }

  @Test
  void applierFailure_namesTheCommandAndItsError() throws Exception {
    // A set of the same name but another type: ipset refuses to swap, and the message says so.
    assertOk(inServer(List.of("ipset", "create", FirewallConfig.DEFAULT_SET4, "hash:ip"), ""));
    FirewallException e =
        org.junit.jupiter.api.Assertions.assertThrows(
            FirewallException.class,
            () ->
                applier.apply(
                    List.of(),
                    FirewallConfig.of(FirewallConfig.Backend.IPSET, List.of(PORT)),
                    Instant.now()));
    assertTrue(e.getMessage().startsWith("'ipset restore' failed (exit 1): "), e.getMessage());
  }

  private void addForeignRules() throws Exception {
    for (String tool : List.of("iptables", "ip6tables")) {
      String source = tool.equals("iptables") ? "192.0.2.99" : "2001:db8::99";
      assertOk(inServer(List.of(tool, "-N", "SOMEONE-ELSE"), ""));
      assertOk(inServer(List.of(tool, "-A", "SOMEONE-ELSE", "-j", "RETURN"), ""));
      assertOk(inServer(List.of(tool, "-A", "INPUT", "-s", source, "-j", "SOMEONE-ELSE"), ""));
    }
    assertOk(inServer(List.of("nft", "add", "table", "inet", "someone_else"), ""));
    assertOk(inServer(List.of("nft", "add", "chain", "inet", "someone_else", "keep"), ""));
    assertOk(inServer(List.of("ipset", "create", "someone-else", "hash:ip"), ""));
    assertOk(inServer(List.of("ipset", "add", "someone-else", "192.0.2.99"), ""));
  }

  private void assertForeignRulesSurvive() throws Exception {
    for (String tool : List.of("iptables", "ip6tables")) {
      String source = tool.equals("iptables") ? "192.0.2.99" : "2001:db8::99";
      assertOk(inServer(List.of(tool, "-C", "SOMEONE-ELSE", "-j", "RETURN"), ""));
      assertOk(inServer(List.of(tool, "-C", "INPUT", "-s", source, "-j", "SOMEONE-ELSE"), ""));
    }
    assertOk(inServer(List.of("nft", "list", "chain", "inet", "someone_else", "keep"), ""));
    assertOk(inServer(List.of("ipset", "test", "someone-else", "192.0.2.99"), ""));
  }

  /** Everything a re-apply could duplicate, without counters, remaining times and hash seeds. */
  private String kernelState() throws Exception {
    StringBuilder s = new StringBuilder();
    s.append(inServer(List.of("iptables", "-S"), "").output());
    s.append(inServer(List.of("ip6tables", "-S"), "").output());
    s.append(
        inServer(List.of("nft", "-s", "list", "ruleset"), "")
            .output()
            .replaceAll(" (timeout|expires) [0-9a-z]+", ""));
    // Each apply swaps in a new set, which gets a new hash seed (initval).
    s.append(
        inServer(List.of("ipset", "save"), "")
            .output()
            .replaceAll(" (timeout [0-9]+|initval 0x[0-9a-f]+)", ""));
    return s.toString();
  }

  private static Ban ban(String target, Instant until) {
    return new Ban(Cidr.parse(target), until, "test", List.of(), Instant.now(), "test");
  }

  private void assertBlocked(String from, String to) throws Exception {
    assertFalse(connects(from, to, PORT), from + " is banned but connected to " + to);
  }

  private boolean connects(String from, String to, int port) throws Exception {
    return net.connect(from, to, port, BLOCKED_TIMEOUT_S) == NetnsPair.Connect.CONNECTED;
  }

  private NetnsPair.Result inServer(List<String> command, String input) throws Exception {
    return net.runInServer(command, input);
  }

  private static void assertOk(NetnsPair.Result r) {
    NetnsPair.assertOk(r);
  }
}
