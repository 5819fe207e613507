package io.wssguard.firewall;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.wssguard.ban.Ban;
import io.wssguard.net.Cidr;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Exact renderer output for a small ban list, and the shipped hardening files against their
 * generator.
 */
class RenderersTest {
  private static final Instant NOW = Instant.parse("2026-01-01T00:00:00Z");
  private static final List<Ban> BANS =
      List.of(
          ban("203.0.113.7", Duration.ofMinutes(15)),
          ban("198.51.100.0/24", Duration.ofMillis(59_001)),
          ban("198.51.100.9", Duration.ofHours(1)),
          ban("2001:db8::/48", Duration.ofDays(40)),
          ban("192.0.2.1", Duration.ofSeconds(-1)));
  private static final FirewallConfig CFG =
      FirewallConfig.of(FirewallConfig.Backend.IPSET, List.of(443, 8443));

  private static Ban ban(String target, Duration left) {
    return new Ban(Cidr.parse(target), NOW.plus(left), "test", List.of(), NOW, "test");
  }

  @Test
  void ipset_swapsFreshSetsIn_withSecondsLeftRoundedUp_andCappedAtIpsetsMaximum() {
    assertEquals(
        """
        create wssguard-ban4 hash:net family inet hashsize 1024 maxelem 262144 timeout 0 -exist
        create wssguard-ban4-next hash:net family inet hashsize 1024 maxelem 262144 timeout 0 -exist
        flush wssguard-ban4-next
        add wssguard-ban4-next 203.0.113.7 timeout 900
        add wssguard-ban4-next 198.51.100.0/24 timeout 60
        add wssguard-ban4-next 198.51.100.9 timeout 3600
        swap wssguard-ban4-next wssguard-ban4
        destroy wssguard-ban4-next
        create wssguard-ban6 hash:net family inet6 hashsize 1024 maxelem 262144 timeout 0 -exist
        create wssguard-ban6-next hash:net family inet6 hashsize 1024 maxelem 262144 timeout 0 -exist
        flush wssguard-ban6-next
        add wssguard-ban6-next 2001:db8::/48 timeout 2147483
        swap wssguard-ban6-next wssguard-ban6
        destroy wssguard-ban6-next
        """,
        IpsetRenderer.ipsetRestore(BANS, CFG, NOW));
  }

  @Test
  void ipset_script_loadsSetsThenOwnChainsThenEnsuresOneJump() {
    assertEquals(
        """
        # ipset restore
        create wssguard-ban4 hash:net family inet hashsize 1024 maxelem 262144 timeout 0 -exist
        create wssguard-ban4-next hash:net family inet hashsize 1024 maxelem 262144 timeout 0 -exist
        flush wssguard-ban4-next
        swap wssguard-ban4-next wssguard-ban4
        destroy wssguard-ban4-next
        create wssguard-ban6 hash:net family inet6 hashsize 1024 maxelem 262144 timeout 0 -exist
        create wssguard-ban6-next hash:net family inet6 hashsize 1024 maxelem 262144 timeout 0 -exist
        flush wssguard-ban6-next
        swap wssguard-ban6-next wssguard-ban6
        destroy wssguard-ban6-next
        # iptables-restore -w --noflush
        *filter
        :WSSGUARD-BAN - [0:0]
        -A WSSGUARD-BAN -p tcp -m set --match-set wssguard-ban4 src -j REJECT --reject-with tcp-reset
        COMMIT
        # iptables -w -C INPUT -p tcp -m multiport --dports 443,8443 -j WSSGUARD-BAN \
        || iptables -w -I INPUT 1 -p tcp -m multiport --dports 443,8443 -j WSSGUARD-BAN
        # ip6tables-restore -w --noflush
        *filter
        :WSSGUARD-BAN - [0:0]
        -A WSSGUARD-BAN -p tcp -m set --match-set wssguard-ban6 src -j REJECT --reject-with tcp-reset
        COMMIT
        # ip6tables -w -C INPUT -p tcp -m multiport --dports 443,8443 -j WSSGUARD-BAN \
        || ip6tables -w -I INPUT 1 -p tcp -m multiport --dports 443,8443 -j WSSGUARD-BAN
        """,
        IpsetRenderer.script(List.of(), CFG.withVerdict(FirewallConfig.Verdict.REJECT), NOW)
            .text());
  }

  @Test
  void nftables_replacesOnlyItsOwnTable_andLeavesOutBansInsideWiderOnes() {
    assertEquals(
        """
        table inet wssguard {
        }
        delete table inet wssguard
        table inet wssguard {
        \tset ban4 {
        \t\ttype ipv4_addr
        \t\tflags interval, timeout
        \t\telements = { 198.51.100.0/24 timeout 60s, 203.0.113.7 timeout 900s }
        \t}

        \tset ban6 {
        \t\ttype ipv6_addr
        \t\tflags interval, timeout
        \t\telements = { 2001:db8::/48 timeout 3456000s }
        \t}

        \tchain input {
        \t\ttype filter hook input priority -10; policy accept;
        \t\ttcp dport { 443, 8443 } ip saddr @ban4 drop
        \t\ttcp dport { 443, 8443 } ip6 saddr @ban6 drop
        \t}
        }
        """,
        NftablesRenderer.render(BANS, CFG, NOW));
  }

  @Test
  void nftables_emptyList_andSinglePort() {
    FirewallConfig cfg =
        FirewallConfig.of(FirewallConfig.Backend.NFTABLES, List.of(443))
            .withVerdict(FirewallConfig.Verdict.REJECT);
    assertEquals(
        """
        table inet wssguard {
        }
        delete table inet wssguard
        table inet wssguard {
        \tset ban4 {
        \t\ttype ipv4_addr
        \t\tflags interval, timeout
        \t}

        \tset ban6 {
        \t\ttype ipv6_addr
        \t\tflags interval, timeout
        \t}

        \tchain input {
        \t\ttype filter hook input priority -10; policy accept;
        \t\ttcp dport 443 ip saddr @ban4 reject with tcp reset
        \t\ttcp dport 443 ip6 saddr @ban6 reject with tcp reset
        \t}
        }
        """,
        NftablesRenderer.render(List.of(), cfg, NOW));
  }

  @Test
  void iptables_oneRulePerActiveBan_perFamily() {
    assertEquals(
        """
        *filter
        :WSSGUARD-BAN - [0:0]
        -A WSSGUARD-BAN -s 203.0.113.7/32 -p tcp -j DROP
        -A WSSGUARD-BAN -s 198.51.100.0/24 -p tcp -j DROP
        -A WSSGUARD-BAN -s 198.51.100.9/32 -p tcp -j DROP
        COMMIT
        """,
        IptablesRenderer.chainRestore(BANS, CFG, Family.IPV4, NOW));
    assertEquals(
        """
        *filter
        :WSSGUARD-BAN - [0:0]
        -A WSSGUARD-BAN -s 2001:db8::/48 -p tcp -j DROP
        COMMIT
        """,
        IptablesRenderer.chainRestore(BANS, CFG, Family.IPV6, NOW));
  }

  @Test
  void config_rejectsUnsafeNamesAndPorts() {
    assertEquals(
        "chain: 'X;rm' (expected: 1-28 letters, digits, _ . -)",
        assertThrows(
                IllegalArgumentException.class,
                () ->
                    new FirewallConfig(
                        FirewallConfig.Backend.IPSET,
                        "a",
                        "b",
                        "X;rm",
                        "t",
                        List.of(443),
                        FirewallConfig.Verdict.DROP))
            .getMessage());
    assertEquals(
        "ports: 0 (expected: 1..65535)",
        assertThrows(
                IllegalArgumentException.class,
                () -> FirewallConfig.of(FirewallConfig.Backend.IPSET, List.of(0)))
            .getMessage());
    assertEquals(
        "ports: 0 given (expected: 1 to 15 TCP ports)",
        assertThrows(
                IllegalArgumentException.class,
                () -> FirewallConfig.of(FirewallConfig.Backend.IPSET, List.of()))
            .getMessage());
  }

  @Test
  void applier_namesTheMissingTool() {
    FirewallException e =
        assertThrows(
            FirewallException.class, () -> FirewallApplier.locate("wssguard-no-such-tool"));
    assertEquals(
        "wssguard-no-such-tool: command not found (looked in PATH and /usr/sbin:/sbin:/usr/local/sbin);"
            + " install the package that provides it (iptables) or choose another --backend",
        e.getMessage());
  }

  @Test
  void shippedFiles_equalWhatStaticRulesRenders() throws IOException {
    // If this fails after changing StaticRules: java -jar target/wssguard.jar firewall static --out
    // iptables
    Path dir = Path.of("iptables");
    assertEquals(
        StaticRules.render(List.of(443, 8443), Family.IPV4),
        Files.readString(dir.resolve("rules.v4")));
    assertEquals(
        StaticRules.render(List.of(443, 8443), Family.IPV6),
        Files.readString(dir.resolve("rules.v6")));
    assertEquals(StaticRules.sysctl(), Files.readString(dir.resolve("sysctl-wssguard.conf")));
  }
}
