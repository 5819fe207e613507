package io.wssguard.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.wssguard.ban.MemoryBans;
import io.wssguard.config.ConfigParser;
import io.wssguard.config.ProxyConfig;
import io.wssguard.demo.DemoEchoBackend;
import io.wssguard.net.Cidr;
import io.wssguard.policy.PolicyParser;
import io.wssguard.server.ProxyServer;
import io.wssguard.time.ManualTicker;
import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The IPv6 block budgets of docs/POLICIES.md through a running proxy: a listener on {@code ::1}
 * (127.0.0.1 where the host has no IPv6) whose peer is a trusted proxy, so {@code X-Forwarded-For}
 * can present clients from many /64s. A /64 may open one handshake, its /56 four, its /48 sixteen
 * (the documented factors 4 and 16), and the clock never moves, so no budget refills: rotating /64s
 * runs into the /56's budget, rotating /56s into the /48's, while a client in another /48 is
 * served.
 */
class Ipv6BlocksIT {
  private static final String POLICY =
      """
      policies:
        default:
          perIp:
            handshakes: {rate: 1/s, burst: 1, action: reject}
            ipv6Blocks: {56: {factor: 4}, 48: {factor: 16}}
          access:
            trustedProxies: ["::1/128", 127.0.0.1/32]
      """;

  @TempDir Path dir;
  private DemoEchoBackend backend;
  private ProxyServer proxy;
  private String host;
  private int port;

  @BeforeEach
  void start() throws Exception {
    backend = DemoEchoBackend.start(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
    Files.createDirectories(dir.resolve("policies"));
    Files.writeString(dir.resolve("policies/default.yaml"), POLICY);
    Files.writeString(
        dir.resolve("wssguard.yaml"),
        """
        listeners:
          - name: v6
            bind: "%s:0"
        backends:
          demo:
            servers: [ws://127.0.0.1:%d/]
        routes:
          - backend: demo
        policies:
          dir: policies
        """
            .formatted(hasIpv6Loopback() ? "[::1]" : "127.0.0.1", backend.address().getPort()));
    ProxyConfig cfg = ConfigParser.parse(dir.resolve("wssguard.yaml"));
    proxy =
        ProxyServer.start(cfg, PolicyParser.forConfig(cfg), new MemoryBans(), new ManualTicker());
    InetSocketAddress bound = proxy.listener("v6").address();
    host = bound.getAddress().getHostAddress();
    port = bound.getPort();
  }

  private static boolean hasIpv6Loopback() {
    try (ServerSocket s = new ServerSocket()) {
      s.bind(new InetSocketAddress(Cidr.address("::1"), 0));
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  @AfterEach
  void stop() {
    if (proxy != null) {
      proxy.close();
    }
    if (backend != null) {
      backend.close();
    }
  }

  @Test
  void rotatingSlash64s_runsIntoTheSlash56Budget_thenTheSlash48s_whileAnotherSlash48IsServed()
      throws Exception {
    // The /64s 2001:db8:1:0::/64 .. 2001:db8:1:4::/64 share the /56 2001:db8:1::/56.
    List<Integer> oneSlash56 = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      oneSlash56.add(upgrade("2001:db8:1:" + Integer.toHexString(i) + "::7"));
    }
    assertEquals(List.of(101, 101, 101, 101, 429), oneSlash56, "a /56 holds four /64s' worth");
    assertEquals(1, refusals("perIp.ipv6Blocks.56.handshakes"));

    // A /64 that has spent its own budget is refused by it, before any block is asked.
    assertEquals(429, upgrade("2001:db8:1:0::8"));
    assertEquals(1, refusals("perIp.handshakes"));

    // Three more /56s of the same /48, four /64s each: 4 + 3 × 4 = 16, the /48's budget.
    for (int n = 1; n <= 3; n++) {
      for (int i = 0; i < 4; i++) {
        String source = "2001:db8:1:" + Integer.toHexString(n * 0x100 + i) + "::7";
        assertEquals(101, upgrade(source), source);
      }
    }
    // A fresh /56 of that /48 has budget of its own left, but the /48 has none.
    assertEquals(429, upgrade("2001:db8:1:f00::7"));
    assertEquals(1, refusals("perIp.ipv6Blocks.48.handshakes"));

    // Another /48 is counted apart.
    assertEquals(101, upgrade("2001:db8:2::7"));
    assertEquals(101, upgrade("2001:db8:2:1::7"));
  }

  /** The status of an upgrade that the trusted proxy (the loopback) forwards for {@code client}. */
  private int upgrade(String client) throws IOException {
    if (!(InetAddress.getByName(client) instanceof Inet6Address)) {
      throw new IllegalArgumentException(client);
    }
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress(host, port), 5000);
      s.setSoTimeout(10_000);
      String request =
          RawClient.upgradeRequest("/")
              .replace("\r\n\r\n", "\r\nX-Forwarded-For: " + client + "\r\n\r\n");
      s.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
      s.getOutputStream().flush();
      StringBuilder head = new StringBuilder();
      int c;
      while (head.length() < 12 && (c = s.getInputStream().read()) >= 0) {
        head.append((char) c);
      }
      return RawClient.status(head.toString());
    }
  }

  /** Handshakes refused by {@code limit} so far. */
  private double refusals(String limit) {
    return AdminClient.value(
        AdminClient.parse(proxy.observability().metrics().scrape()),
        "wssguard_policy_decisions_total",
        "policy",
        "default",
        "limit",
        limit,
        "action",
        "refuse",
        "enforced",
        "true");
  }
}
