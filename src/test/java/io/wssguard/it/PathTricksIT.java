package io.wssguard.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.wssguard.config.RouteConfig;
import io.wssguard.policy.HandshakeRules;
import io.wssguard.policy.Policy;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A path reaches a backend only as the path its route and policy were chosen and checked for:
 * dot-segments, empty segments, {@code ;} parameters and encoded separators never carry a request
 * past a route or a {@code paths} rule. Routes refuse such paths (400) unless they ask for them to
 * be normalised; then the normalised path is matched and forwarded, the query unchanged.
 */
class PathTricksIT {
  @TempDir static Path certs;
  static NodeBackend node;
  static TestProxy proxy;

  private static Policy handshakeRules(String name, List<String> required, List<String> paths) {
    return TestPolicies.handshakeOnly(
        name, new HandshakeRules(List.of(), List.of(), required, paths, 0));
  }

  @BeforeAll
  static void start() throws Exception {
    node = NodeBackend.start();
    proxy =
        TestProxy.builder(certs)
            .backend("node", node.url("/"))
            .route(new RouteConfig(null, "/admin", "node", false, 1 << 20, "admin", false))
            .route(new RouteConfig(null, "/norm", "node", false, 1 << 20, "default", true))
            .route(new RouteConfig("rooms.test", "/", "node", false, 1 << 20, "rooms", true))
            .route("/", "node")
            .policies(
                TestPolicies.set(
                    TestPolicies.permissive("default"),
                    handshakeRules("admin", List.of("Authorization"), List.of()),
                    handshakeRules("rooms", List.of(), List.of("/rooms/**"))))
            .start();
  }

  @AfterAll
  static void stop() throws Exception {
    proxy.close();
    node.close();
  }

  /** The whole answer to a handshake for {@code target} with {@code host}: head and body. */
  private static String answer(String target, String host) throws Exception {
    try (RawClient c = RawClient.connect(proxy.port("plain"), false)) {
      String head =
          c.request(RawClient.upgradeRequest(target).replace("Host: localhost", "Host: " + host));
      if (RawClient.status(head) == 101) {
        return head;
      }
      return head + new String(c.in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  /** The request target the backend was asked for (the Node backend says it for ?say=url). */
  private static String targetSeenByBackend(String target, String host) throws Exception {
    try (RawClient c = RawClient.connect(proxy.port("plain"), false)) {
      String head =
          c.request(RawClient.upgradeRequest(target).replace("Host: localhost", "Host: " + host));
      assertEquals(101, RawClient.status(head), head);
      return c.readFrame().text();
    }
  }

  private static String body(String answer) {
    return answer.substring(answer.indexOf("\r\n\r\n") + 4);
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      quoteCharacter = '"',
      value = {
        "/x/../admin|dot-segment '..' in the path",
        "/x/%2e%2e/admin|dot-segment '..' in the path",
        "/x/%2E%2e/admin|dot-segment '..' in the path",
        "//admin|empty segment ('//') in the path",
        "/x;/../admin|';' parameter in the path",
        "/x/..%2fadmin|encoded '/' (%2f) in the path",
        "/x/..%5Cadmin|encoded '\\' (%5C) in the path",
        "/x/a%00|encoded NUL (%00) in the path",
        "/chat/..|dot-segment '..' in the path",
      })
  void answers400_forPathTricks_onRoutesThatDoNotNormalise(String target, String reason)
      throws Exception {
    String answer = answer(target + "?say=url", "localhost");
    assertEquals(400, RawClient.status(answer), answer);
    assertEquals(reason + "\n", body(answer));
  }

  @Test
  void normalisesPath_onRouteThatAsksForIt_andForwardsThatPathWithTheQueryAsSent()
      throws Exception {
    assertEquals(
        "/norm/echo?say=url&q=%2e%2e/x;y",
        targetSeenByBackend("/norm/a/%2E%2e/b/..//;p/./echo?say=url&q=%2e%2e/x;y", "localhost"));
    assertEquals("/norm/?say=url", targetSeenByBackend("/norm/%61/..?say=url", "localhost"));
  }

  @Test
  void matchesTheNormalisedPath_notTheRouteOfTheRawOne() throws Exception {
    // Raw, it starts with /admin (which needs Authorization); normalised, it is /norm/x.
    assertEquals("/norm/x?say=url", targetSeenByBackend("/admin/../norm/x?say=url", "localhost"));
    // Normalised to /admin, whose route takes only regular paths.
    String answer = answer("/norm/../admin?say=url", "localhost");
    assertEquals(400, RawClient.status(answer), answer);
    assertEquals("dot-segment '..' in the path\n", body(answer));
  }

  @Test
  void pathsRule_seesTheNormalisedPath() throws Exception {
    assertEquals("/rooms/b?say=url", targetSeenByBackend("/rooms/a/../b?say=url", "rooms.test"));
    String answer = answer("/rooms/../secret?say=url", "rooms.test");
    assertEquals(403, RawClient.status(answer), answer);
    assertEquals("forbidden: path not allowed\n", body(answer));
  }

  @Test
  void forwardsRegularPath_withUnreservedCharactersDecoded() throws Exception {
    assertEquals(
        "/%C3%A9/echo?say=url", targetSeenByBackend("/%c3%a9/%65cho?say=url", "localhost"));
  }
}
