package io.wssguard.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.wssguard.admin.AdminToken;
import io.wssguard.ban.Ban;
import io.wssguard.ban.BanList;
import io.wssguard.net.Cidr;
import io.wssguard.testing.FreePort;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code wssguard ban} and {@code wssguard firewall render} from the packaged jar: against a
 * journal in a temp dir, and against a running proxy process through its admin API.
 */
class BanCliIT {

  @TempDir Path dir;

  private JarRun wssguard(String... args) throws Exception {
    return JarRun.run(dir, args);
  }

  @Test
  void addListRemove_andRender() throws Exception {
    String journal = dir.resolve("bans.journal").toString();
    JarRun add =
        wssguard(
            "ban",
            "add",
            "203.0.113.7",
            "--for",
            "15m",
            "--reason",
            "handshake flood",
            "--journal",
            journal);
    assertEquals(0, add.exit(), add.err());
    assertTrue(add.out().startsWith("banned 203.0.113.7\tuntil "), add.out());
    assertEquals(
        0,
        wssguard(
                "ban",
                "add",
                "2001:db8::/48",
                "--for",
                "1h",
                "--reason",
                "v6",
                "--journal",
                journal)
            .exit());

    JarRun list = wssguard("ban", "list", "--journal", journal);
    assertEquals(0, list.exit(), list.err());
    String[] lines = list.out().strip().split("\n", -1);
    assertEquals(2, lines.length, list.out());
    assertTrue(
        lines[0].matches("203\\.0\\.113\\.7\tuntil \\S+\thandshake flood\tsince \\S+\t\\[by hand]"),
        lines[0]);
    assertTrue(lines[1].startsWith("2001:db8::/48\tuntil "), lines[1]);

    JarRun render =
        wssguard(
            "firewall", "render", "--backend", "nftables", "--port", "443", "--journal", journal);
    assertEquals(0, render.exit(), render.err());
    // 15 minutes less the seconds since the ban: each CLI run in between is a JVM start, which on
    // a loaded machine takes seconds, so up to a minute may have passed.
    assertTrue(
        render.out().matches("(?s).*elements = \\{ 203\\.0\\.113\\.7 timeout (8[4-9][0-9]|900)s.*"),
        render.out());
    assertTrue(render.out().contains("elements = { 2001:db8::/48 timeout 3"), render.out());

    JarRun remove = wssguard("ban", "remove", "203.0.113.7", "--journal", journal);
    assertEquals(0, remove.exit(), remove.err());
    assertEquals(1, wssguard("ban", "list", "--journal", journal).out().split("\n").length);
    JarRun again = wssguard("ban", "remove", "203.0.113.7", "--journal", journal);
    assertEquals(3, again.exit(), "nothing to lift");
    assertEquals("ban remove: 203.0.113.7 is not banned (in " + journal + ")\n", again.err());
  }

  // ---- one way to the bans: the running proxy first, else the journal ----

  private static final String JOURNAL = "bans:\n  journal: state/bans.journal\n";
  private static final String POLICIES = "policies:\n  dir: policies/\n";

  /** The last line of a "nothing done" answer; BanJournalFilesIT expects it too. */
  static final String ADVICE =
      "  (-c/--config FILE: the running proxy's configuration, whose admin listener is asked;"
          + " --journal PATH: a journal to edit while no proxy holds it)\n";

  private int port;
  private int adminPort;

  /**
   * wssguard.yaml: a plain listener in front of the demo backend, the admin listener on a port of
   * its own (the token in the default state/admin.token), then {@code blocks}.
   */
  private void writeConfig(String blocks) throws Exception {
    port = FreePort.next();
    adminPort = FreePort.next();
    Files.writeString(
        dir.resolve("wssguard.yaml"),
        PlainDemoConfig.yaml(port) + "admin:\n  bind: 127.0.0.1:" + adminPort + "\n" + blocks);
  }

  /** policies/default.yaml trusting 127.0.0.64/26 as proxies, so that block is never banned. */
  private void writeTrustingPolicy() throws Exception {
    Files.createDirectories(dir.resolve("policies"));
    Files.writeString(
        dir.resolve("policies/default.yaml"),
        "policies:\n  default:\n    access:\n      trustedProxies: [127.0.0.64/26]\n");
  }

  private String adminUrl() {
    return "http://127.0.0.1:" + adminPort + "/";
  }

  private Path state(String file) throws Exception {
    return dir.toRealPath().resolve("state").resolve(file);
  }

  private AdminClient admin() throws Exception {
    return AdminClient.withTokenFrom(adminUrl(), state("admin.token"));
  }

  private JarRun ban(String... args) throws Exception {
    String[] all = new String[args.length + 3];
    all[0] = "ban";
    System.arraycopy(args, 0, all, 1, args.length);
    all[args.length + 1] = "--config";
    all[args.length + 2] = "wssguard.yaml";
    return wssguard(all);
  }

  @Test
  void banAdd_throughARunningProxy_isInGetBans_enforced_listed_andLiftedThroughItToo()
      throws Exception {
    writeConfig(JOURNAL);
    try (JarProxy proxy = JarProxy.start(dir, "wssguard.yaml")) {
      JarRun add = ban("add", "127.0.0.77", "--for", "10m", "--reason", "cli test");
      assertEquals(0, add.exit(), add.err());
      assertTrue(add.out().matches("banned 127\\.0\\.0\\.77\tuntil \\S+\tcli test\n"), add.out());
      assertEquals("ban add: done by the running proxy (" + adminUrl() + ")\n", add.err());

      String bans = admin().get("/bans").body();
      assertTrue(
          bans.matches(
              "(?s)\\{\"bans\":\\[\\{\"target\":\"127\\.0\\.0\\.77/32\",\"until\":\"[^\"]+\","
                  + "\"reason\":\"cli test\",\"started\":\"[^\"]+\",\"by\":\"admin API\"}]}\\s*"),
          bans);
      assertEquals(RawClient.CLOSED, RawClient.upgradeStatus(port, "127.0.0.77", "/"));
      assertEquals(101, RawClient.upgradeStatus(port, "127.0.0.78", "/"));

      JarRun list = ban("list");
      assertEquals(0, list.exit(), list.err());
      assertTrue(
          list.out().matches("127\\.0\\.0\\.77\tuntil \\S+\tcli test\tsince \\S+\n"), list.out());

      JarRun remove = ban("remove", "127.0.0.77");
      assertEquals(0, remove.exit(), remove.err());
      assertEquals("unbanned 127.0.0.77\n", remove.out());
      assertEquals("{\"bans\":[]}", admin().get("/bans").body().strip());
      assertEquals(101, RawClient.upgradeStatus(port, "127.0.0.77", "/"));

      JarRun again = ban("remove", "127.0.0.77");
      assertEquals(3, again.exit(), again.err());
      assertEquals(
          "ban remove: no ban on 127.0.0.77/32 (HTTP 404 from the proxy at " + adminUrl() + ")\n",
          again.err());
    }
  }

  @Test
  void aBansStartAndMaker_areJournalled_andListedAfterARestart() throws Exception {
    writeConfig(JOURNAL);
    String before;
    try (JarProxy proxy = JarProxy.start(dir, "wssguard.yaml")) {
      assertEquals(0, ban("add", "127.0.0.79", "--for", "1h", "--reason", "restart test").exit());
      before = started(admin().get("/bans").body());
    }
    try (JarProxy proxy = JarProxy.start(dir, "wssguard.yaml")) {
      String bans = admin().get("/bans").body();
      assertEquals(before, started(bans), bans);
      assertTrue(bans.contains("\"by\":\"admin API\""), "who made it, journalled too: " + bans);
      JarRun list = ban("list");
      assertTrue(list.out().contains("\tsince " + before), list.out());
    }
  }

  /** The one ban's start in a {@code GET /bans} answer. */
  private static String started(String bans) {
    Matcher m = Pattern.compile("\"started\":\"([^\"]+)\"").matcher(bans);
    assertTrue(m.find(), bans);
    return m.group(1);
  }

  @Test
  void neverBanAndTooWideTargets_throughARunningProxy_printItsAnswer_andExit3And2()
      throws Exception {
    writeConfig(POLICIES);
    writeTrustingPolicy();
    try (JarProxy proxy = JarProxy.start(dir, "wssguard.yaml")) {
      JarRun never = ban("add", "127.0.0.66", "--for", "10m", "--reason", "x");
      assertEquals(3, never.exit(), never.err());
      assertEquals("", never.out());
      assertEquals(
          "ban add: not banning 127.0.0.66: it overlaps never-ban 127.0.0.64/26 (HTTP 409 from the"
              + " proxy at "
              + adminUrl()
              + ")\n",
          never.err());

      JarRun wide = ban("add", "10.0.0.0/8", "--for", "10m", "--reason", "x");
      assertEquals(2, wide.exit(), wide.err());
      assertEquals(
          "ban add: target: 10.0.0.0/8 is wider than /16, the widest IPv4 ban allowed"
              + " (admin.widestBan.ipv4) (HTTP 400 from the proxy at "
              + adminUrl()
              + ")\n",
          wide.err());
      assertEquals("{\"bans\":[]}", admin().get("/bans").body().strip());
    }
  }

  @Test
  void banAdd_withNoProxyRunning_writesTheJournal_underTheSameRules() throws Exception {
    writeConfig(JOURNAL + POLICIES);
    writeTrustingPolicy();
    AdminToken.load(state("admin.token"), true); // as a proxy that ran and stopped left it
    Path journal = state("bans.journal");

    JarRun add = ban("add", "203.0.113.7", "--for", "15m", "--reason", "offline");
    assertEquals(0, add.exit(), add.err());
    assertTrue(add.out().startsWith("banned 203.0.113.7\tuntil "), add.out());
    assertTrue(
        add.err()
            .endsWith(
                "ban add: no proxy answered (nothing listens at "
                    + adminUrl()
                    + " (connection refused)); written to "
                    + journal
                    + "\n"),
        add.err());
    List<Ban> written = BanList.read(journal, Instant.now()).active();
    assertEquals(1, written.size(), written.toString());
    assertEquals(Cidr.parse("203.0.113.7"), written.get(0).target());
    assertEquals("offline", written.get(0).reason());
    assertEquals(List.of("by hand"), written.get(0).history());

    JarRun never = ban("add", "127.0.0.66", "--for", "10m", "--reason", "x");
    assertEquals(3, never.exit(), never.err());
    assertTrue(
        never
            .err()
            .endsWith("ban add: not banning 127.0.0.66: it overlaps never-ban 127.0.0.64/26\n"),
        never.err());
    JarRun wide = ban("add", "10.0.0.0/8", "--for", "10m", "--reason", "x");
    assertEquals(2, wide.exit(), wide.err());
    assertEquals(
        "ban add: target: 10.0.0.0/8 is wider than /16, the widest IPv4 ban allowed"
            + " (admin.widestBan.ipv4)\n",
        wide.err());
    assertEquals(1, BanList.read(journal, Instant.now()).active().size(), "nothing else banned");
  }

  @Test
  void banList_withNoProxyRunningAndNoJournal_exits1_namingBothWays() throws Exception {
    writeConfig("");
    JarRun list = ban("list");
    assertEquals(1, list.exit(), list.err());
    assertEquals("", list.out());
    assertEquals(
        "ban list: nothing done: neither the running proxy nor the ban journal works:\n"
            + "  running proxy: nothing listens at "
            + adminUrl()
            + " (connection refused)\n"
            + "  ban journal: none: wssguard.yaml has no bans.journal (the proxy keeps its bans in"
            + " memory only)\n"
            + ADVICE,
        list.err());
  }

  @Test
  void banAdd_whileAnotherProcessHoldsTheJournal_andNoProxyAnswers_exits1_namingBothWays()
      throws Exception {
    writeConfig(JOURNAL);
    AdminToken.load(state("admin.token"), true);
    Path journal = state("bans.journal");
    try (BanList held = BanList.open(journal, List.of())) {
      JarRun add = ban("add", "203.0.113.7", "--for", "15m", "--reason", "x");
      assertEquals(1, add.exit(), add.err());
      assertEquals("", add.out());
      assertEquals(
          "ban add: nothing done: neither the running proxy nor the ban journal works:\n"
              + "  running proxy: nothing listens at "
              + adminUrl()
              + " (connection refused)\n"
              + "  ban journal: "
              + journal
              + ": in use by another wssguard process ("
              + journal
              + ".lock is locked)\n"
              + ADVICE,
          add.err());
      assertTrue(held.active(Instant.now()).isEmpty(), "nothing banned");
    }
  }

  @Test
  void banList_onADamagedJournal_printsTheValidBans_namesEachBadLine_andExits1() throws Exception {
    Path journal = dir.resolve("bans.journal");
    long until = System.currentTimeMillis() + 3_600_000;
    Files.writeString(
        journal,
        "# wssguard bans v1\n"
            + "ban\t203.0.113.7\t"
            + until
            + "\tkept\n"
            + "garbage in the middle\n"
            + "ban\t198.51.100.7\t"
            + until
            + "\talso kept\n");
    JarRun list = wssguard("ban", "list", "--journal", journal.toString());
    assertEquals(1, list.exit(), list.err());
    String[] lines = list.out().strip().split("\n", -1);
    assertEquals(2, lines.length, list.out());
    assertTrue(lines[0].startsWith("198.51.100.7\tuntil "), list.out());
    assertTrue(lines[1].startsWith("203.0.113.7\tuntil "), list.out());
    assertEquals(
        "ban list: "
            + journal
            + ":3: unknown event 'garbage in the middle' (expected ban, unban or expire)"
            + " (line skipped)\n"
            + "ban list: "
            + journal
            + " is damaged (1 line(s) skipped, the bans above are from the valid lines); the proxy"
            + " or 'wssguard ban add|remove' moves it aside to bans.journal.damaged-<time> and"
            + " writes a fresh journal when it next opens it\n",
        list.err());
  }

  @Test
  void malformedCidr_exits2_withTheWholeMessage() throws Exception {
    JarRun run =
        wssguard(
            "ban",
            "add",
            "10.0.0.1/33",
            "--for",
            "15m",
            "--reason",
            "x",
            "--journal",
            dir.resolve("j").toString());
    assertEquals(2, run.exit());
    assertTrue(
        run.err()
            .startsWith(
                "ban add: '10.0.0.1/33' is not an address or CIDR block"
                    + " (expected: prefix length 0..32)\n"),
        run.err());
  }

  @Test
  void blockWithHostBits_exits2_namingTheCorrectedBlock_insteadOfMaskingIt() throws Exception {
    JarRun run =
        wssguard(
            "ban",
            "add",
            "10.1.2.3/8",
            "--for",
            "15m",
            "--reason",
            "x",
            "--journal",
            dir.resolve("j").toString());
    assertEquals(2, run.exit());
    assertTrue(
        run.err()
            .startsWith(
                "ban add: '10.1.2.3/8' is not an address or CIDR block"
                    + " (expected: 10.0.0.0/8, the block's first address)\n"),
        run.err());
    assertFalse(Files.exists(dir.resolve("j")), "nothing was journalled");
  }

  @Test
  void durationOverAYear_exits2_withTheRange() throws Exception {
    JarRun run =
        wssguard(
            "ban",
            "add",
            "10.0.0.1",
            "--for",
            "999999d",
            "--reason",
            "x",
            "--journal",
            dir.resolve("j").toString());
    assertEquals(2, run.exit());
    assertTrue(
        run.err().startsWith("ban add: --for '999999d' (expected: duration like 5s, 1 s..365 d)\n"),
        run.err());
  }
}
