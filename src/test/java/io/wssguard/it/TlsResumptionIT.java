package io.wssguard.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.wssguard.testing.Await;
import io.wssguard.testing.TrustAll;
import io.wssguard.time.ManualTicker;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * TLS 1.3 session resumption on a real proxy's BoringSSL listener, told apart by the proxy itself
 * ({@code wssguard_tls_handshakes_resumed_total}): the JDK client keeps the ticket it was given and
 * offers it when it connects again. Ticket keys rotate on the proxy's clock, which the test moves:
 * a ticket from the key before the current one still resumes, one from the key before that falls
 * back to a full handshake (and the connection still works).
 */
class TlsResumptionIT {
  private static final Duration ROTATION = Duration.ofHours(1);

  @TempDir Path certs;

  @Test
  void returningClient_resumesWithItsTicket() throws Exception {
    try (TestProxy proxy = start(new ManualTicker(), true)) {
      SSLContext client = TrustAll.context();
      assertEquals("TLSv1.3", visit(proxy, client));
      assertEquals(0, resumed(proxy), "the first visit is a full handshake");
      visit(proxy, client);
      awaitResumed(proxy, 1);
      visit(proxy, TrustAll.context());
      visit(proxy, client);
      awaitResumed(proxy, 2);
    }
  }

  @Test
  void ticketsFromThePreviousKey_resume_andOlderOnes_fallBackToAFullHandshake() throws Exception {
    ManualTicker clock = new ManualTicker();
    try (TestProxy proxy = start(clock, true)) {
      SSLContext often = TrustAll.context();
      SSLContext rarely = TrustAll.context();
      visit(proxy, often);
      visit(proxy, rarely);

      // Past the first rotation: both tickets are under the key that now only decrypts.
      clock.advance(ROTATION.plusMinutes(1));
      visit(proxy, often);
      awaitResumed(proxy, 1);

      // Past the second: the first key is gone; the ticket "often" got a period ago still works.
      clock.advance(ROTATION);
      visit(proxy, rarely);
      visit(proxy, often);
      awaitResumed(proxy, 2);
      assertEquals(2, resumed(proxy), "the ticket two keys old was not resumed");
    }
  }

  @Test
  void sessionTicketsOff_everyHandshakeIsFull() throws Exception {
    try (TestProxy proxy = start(new ManualTicker(), false)) {
      SSLContext client = TrustAll.context();
      for (int i = 0; i < 3; i++) {
        assertEquals("TLSv1.3", visit(proxy, client));
      }
      assertEquals(0, resumed(proxy));
    }
  }

  private TestProxy start(ManualTicker clock, boolean tickets) throws Exception {
    return TestProxy.builder(certs)
        .backend("b", "ws://127.0.0.1:9/")
        .route("/", "b")
        .ticker(clock)
        .sessionTickets(tickets, ROTATION)
        .start();
  }

  /**
   * One TLS 1.3 connection with {@code client}'s session cache: a plain GET (answered 426 by the
   * proxy itself), read to the end, so the ticket that travels with the answer is stored.
   *
   * @return the protocol negotiated
   */
  private static String visit(TestProxy proxy, SSLContext client) throws IOException {
    try (SSLSocket s =
        (SSLSocket) client.getSocketFactory().createSocket("127.0.0.1", proxy.port("boring"))) {
      s.setSoTimeout(10_000);
      SSLParameters p = s.getSSLParameters();
      p.setProtocols(new String[] {"TLSv1.3"});
      s.setSSLParameters(p);
      s.getOutputStream()
          .write(
              "GET / HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"
                  .getBytes(StandardCharsets.US_ASCII));
      ByteArrayOutputStream answer = new ByteArrayOutputStream();
      InputStream in = s.getInputStream();
      byte[] buffer = new byte[4096];
      for (int n; (n = in.read(buffer)) > 0; ) {
        answer.write(buffer, 0, n);
      }
      String head = answer.toString(StandardCharsets.ISO_8859_1);
      assertTrue(head.startsWith("HTTP/1.1 426"), head);
      return s.getSession().getProtocol();
    }
  }

  private static double resumed(TestProxy proxy) {
    return AdminClient.value(
        AdminClient.parse(proxy.server.observability().metrics().scrape()),
        "wssguard_tls_handshakes_resumed_total",
        "listener",
        "boring");
  }

  private static void awaitResumed(TestProxy proxy, int count) throws Exception {
    Await.until(
        () -> resumed(proxy) >= count,
        Duration.ofSeconds(10),
        () -> "resumed handshakes: " + resumed(proxy) + ", expected " + count);
  }
}
