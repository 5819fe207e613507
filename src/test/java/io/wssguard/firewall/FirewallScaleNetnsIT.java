package io.wssguard.firewall;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.wssguard.ban.Ban;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * 100,000 bans (half IPv4 hosts, half IPv6 /64s, a few wider blocks) rendered and loaded into a
 * real kernel, in a network namespace, within 5 seconds: generous for a loaded 2-core machine
 * (BENCHMARKS.md has the measured times). Needs root and {@code ip netns}, as {@link
 * FirewallNetnsIT}.
 */
class FirewallScaleNetnsIT {
  private static final long LIMIT_NANOS = TimeUnit.SECONDS.toNanos(5);

  private NetnsPair net;
  private FirewallApplier applier;

  @BeforeAll
  static void needsRootAndNamespaces() throws Exception {
    NetnsPair.assumeAvailable("FirewallScaleNetnsIT");
  }

  @BeforeEach
  void namespaces() throws Exception {
    net = NetnsPair.create("fws", "10.212.0.1", "fd00:212::1", List.of(), List.of());
    applier = new FirewallApplier(List.of("ip", "netns", "exec", net.server));
  }

  @AfterEach
  void deleteNamespaces() throws Exception {
    if (net != null) {
      net.close();
    }
  }

  @ParameterizedTest
  @EnumSource(
      value = FirewallConfig.Backend.class,
      names = {"IPSET", "NFTABLES"})
  void hundredThousandBans_loadWithinFiveSeconds(FirewallConfig.Backend backend) throws Exception {
    FirewallConfig cfg = FirewallConfig.of(backend, List.of(8443));
    List<Ban> bans = RenderScaleTest.bans(100_000);
    Instant now = Instant.now();
    bans =
        bans.stream()
            .map(
                b ->
                    new Ban(
                        b.target(), now.plusSeconds(1800), b.reason(), b.history(), now, "test"))
            .toList();

    long start = System.nanoTime();
    applier.apply(bans, cfg, now);
    long took = System.nanoTime() - start;

    assertTrue(
        took < LIMIT_NANOS,
        backend + ": 100,000 bans loaded in " + took / 1_000_000 + " ms (limit 5000 ms)");
    NetnsPair.Result listed =
        backend == FirewallConfig.Backend.IPSET
            ? net.runInServer(List.of("ipset", "list", cfg.set6(), "-t"), "")
            : net.runInServer(List.of("nft", "list", "set", "inet", cfg.nftTable(), "ban4"), "");
    NetnsPair.assertOk(listed);
    String expected =
        backend == FirewallConfig.Backend.IPSET ? "Number of entries: 50000" : "10.1.134.158";
    assertTrue(
        listed.output().contains(expected),
        listed.output().lines().limit(12).toList() + " lacks " + expected);
    System.out.println(
        "FirewallScaleNetnsIT " + backend + ": 100,000 bans in " + took / 1_000_000 + " ms");
  }
}
