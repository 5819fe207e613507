package io.wssguard.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.wssguard.config.AdminConfig;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The admin API asks for its bearer token when it is reachable from off the host, and not on
 * loopback.
 */
class AdminAuthIT {
  @TempDir Path dir;

  private TestProxy proxy(AdminConfig admin) throws Exception {
    return TestProxy.builder(dir)
        .backend("b", "ws://127.0.0.1:9/")
        .route("/", "b")
        .admin(admin)
        .start();
  }

  private static String local(TestProxy p) {
    String url = p.server.adminUrl();
    return "http://127.0.0.1:" + url.substring(url.lastIndexOf(':') + 1);
  }

  @Test
  void loopbackBind_needsNoToken() throws Exception {
    try (TestProxy p =
        proxy(new AdminConfig(new InetSocketAddress("127.0.0.1", 0), null, false, true))) {
      assertEquals(200, new AdminClient(local(p), null).get("/status").statusCode());
    }
  }

  @Test
  void wildcardBind_refusesRequestsWithoutTheToken() throws Exception {
    Path token = dir.resolve("admin.token");
    Files.writeString(token, "s3cret-token\n");
    try (TestProxy p =
        proxy(new AdminConfig(new InetSocketAddress("0.0.0.0", 0), token, false, true))) {
      var none = new AdminClient(local(p), null).get("/metrics");
      assertEquals(401, none.statusCode());
      assertTrue(none.headers().firstValue("WWW-Authenticate").orElse("").startsWith("Bearer"));
      assertEquals(401, new AdminClient(local(p), "s3cret-tokeN").get("/metrics").statusCode());
      assertEquals(
          401,
          new AdminClient(local(p), "s3cret")
              .send("POST", "/bans", "{\"target\":\"192.0.2.1\",\"for\":\"1m\"}")
              .statusCode());
      assertEquals(
          0,
          p.server
              .observability()
              .metrics()
              .scrape()
              .lines()
              .filter(l -> l.startsWith("wssguard_bans_added_total"))
              .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)))
              .sum());
      assertEquals(200, new AdminClient(local(p), "s3cret-token").get("/metrics").statusCode());
    }
  }
}
