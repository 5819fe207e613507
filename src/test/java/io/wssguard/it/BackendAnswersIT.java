package io.wssguard.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.wssguard.testing.CapturedLog;
import java.nio.file.Path;
import java.util.List;
import java.util.logging.Level;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a backend answers is about one client's request, not the backend's health: a 3xx or 5xx
 * becomes a 502 after exactly one dial, nothing is marked down, later requests still reach the
 * server, and the log gets one line per server every few seconds, not one per request.
 */
class BackendAnswersIT {
  @TempDir static Path certs;
  static AnsweringBackend error1;
  static AnsweringBackend error2;
  static AnsweringBackend redirect1;
  static AnsweringBackend redirect2;
  static AnsweringBackend forbidden;
  static AnsweringBackend longHead;
  static AnsweringBackend overlongHead;
  static NodeBackend node;
  static TestProxy proxy;
  static CapturedLog dialer;

  @BeforeAll
  static void start() throws Exception {
    error1 = AnsweringBackend.start("500 Internal Server Error");
    error2 = AnsweringBackend.start("500 Internal Server Error");
    redirect1 = AnsweringBackend.start("302 Found", "Location: /elsewhere");
    redirect2 = AnsweringBackend.start("302 Found", "Location: /elsewhere");
    forbidden = AnsweringBackend.start("403 Forbidden");
    // 6,000 and 9,000 bytes of headers: beyond the dialer's first answer buffer, and beyond the
    // longest head it reads.
    longHead = AnsweringBackend.start("403 Forbidden", "X-Padding: " + "p".repeat(6000));
    overlongHead = AnsweringBackend.start("403 Forbidden", "X-Padding: " + "p".repeat(9000));
    node = NodeBackend.start();
    dialer = CapturedLog.of("io.wssguard.backend.BackendDialer");
    proxy =
        TestProxy.builder(certs)
            .backend("errors", error1.url(), error2.url())
            .backend("redirects", redirect1.url(), redirect2.url())
            .backend("forbidden", forbidden.url())
            .backend("long", longHead.url())
            .backend("overlong", overlongHead.url())
            .backend("named", "ws://localhost:" + node.port() + "/")
            .route("/errors", "errors")
            .route("/redirects", "redirects")
            .route("/forbidden", "forbidden")
            .route("/long", "long")
            .route("/overlong", "overlong")
            .route("/named", "named")
            .start();
  }

  @AfterAll
  static void stop() throws Exception {
    dialer.close();
    proxy.close();
    node.close();
    for (AnsweringBackend b :
        List.of(error1, error2, redirect1, redirect2, forbidden, longHead, overlongHead)) {
      b.close();
    }
  }

  private static String upgrade(String path) throws Exception {
    try (RawClient c = RawClient.connect(proxy.port("plain"), false)) {
      return c.request(RawClient.upgradeRequest(path));
    }
  }

  private static long warningsAbout(AnsweringBackend b) {
    return dialer.atLeast(Level.WARNING).stream()
        .filter(r -> r.getMessage().startsWith(b.url()))
        .count();
  }

  private static void answers502WithOneDialPerRequest(
      String path, AnsweringBackend a, AnsweringBackend b) throws Exception {
    for (int i = 1; i <= 4; i++) {
      String head = upgrade(path);
      assertEquals(502, RawClient.status(head), head);
      assertEquals(i, a.accepted() + b.accepted(), "one dial per request, no second server tried");
    }
    assertEquals(2, a.accepted(), "still reached: not marked down");
    assertEquals(2, b.accepted(), "still reached: not marked down");
    double up =
        AcceptGateIT.metric(proxy, "wssguard_backend_up", "server", a.url())
            + AcceptGateIT.metric(proxy, "wssguard_backend_up", "server", b.url());
    assertEquals(2, up);
    assertEquals(1, warningsAbout(a), "one log line per server, not one per request");
    assertEquals(1, warningsAbout(b), "one log line per server, not one per request");
  }

  @Test
  void answers502_whenBackendAnswers500_withoutMarkingItDown() throws Exception {
    answers502WithOneDialPerRequest("/errors", error1, error2);
  }

  @Test
  void answers502_whenBackendAnswers302_withoutMarkingItDown() throws Exception {
    answers502WithOneDialPerRequest("/redirects", redirect1, redirect2);
  }

  @Test
  void passesBackend4xxToTheClient() throws Exception {
    int before = forbidden.accepted();
    String head = upgrade("/forbidden");
    assertEquals(403, RawClient.status(head), head);
    assertEquals(before + 1, forbidden.accepted());
  }

  @Test
  void readsALongAnswerHead_upToTheLimit_andAnswers502Beyond() throws Exception {
    String head = upgrade("/long");
    assertEquals(403, RawClient.status(head), head);
    head = upgrade("/overlong");
    assertEquals(502, RawClient.status(head), head);
    assertEquals(1, overlongHead.accepted());
  }

  @Test
  void reachesBackendConfiguredByHostName() throws Exception {
    try (RawClient c = RawClient.connect(proxy.port("plain"), false)) {
      c.upgrade("/named");
    }
  }
}
