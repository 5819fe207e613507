package io.wssguard.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.wssguard.config.AdminConfig;
import io.wssguard.demo.DemoEchoBackend;
import io.wssguard.policy.PolicySet;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The console's sign-in, session cookie and CSRF rules as raw HTTP on real sockets: what a browser
 * would send, and what another site's page or a guessing script would.
 */
class ConsoleSessionIT {
  private static final String CSP =
      "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:;"
          + " connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";
  private static final Pattern COOKIE = Pattern.compile("wssguard_session=([A-Za-z0-9_-]{43});");
  private static final Pattern CSRF = Pattern.compile("\"csrf\":\"([A-Za-z0-9_-]{43})\"");

  @TempDir Path dir;
  private DemoEchoBackend demo;
  private TestProxy proxy;
  private PolicySet policies;
  private String token;
  private int port;

  @BeforeEach
  void start() throws Exception {
    demo = DemoEchoBackend.start(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
    policies = TestPolicies.set(TestPolicies.permissive("default"));
    proxy =
        TestProxy.builder(dir)
            .backend("demo", "ws://127.0.0.1:" + demo.address().getPort() + "/")
            .route("/", "demo")
            .policies(policies)
            .admin(
                new AdminConfig(
                    new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                    tokenFile(),
                    true,
                    true))
            .start();
    token = Files.readString(tokenFile()).strip();
    String url = proxy.server.adminUrl();
    port = Integer.parseInt(url.substring(url.lastIndexOf(':') + 1, url.length() - 1));
  }

  @AfterEach
  void stop() throws Exception {
    if (proxy != null) {
      proxy.close();
    }
    if (demo != null) {
      demo.close();
    }
  }

  private Path tokenFile() {
    return dir.resolve("state/admin.token");
  }

  private String host() {
    return "127.0.0.1:" + port;
  }

  /** One request from {@code source} on its own connection; the whole answer back. */
  private String raw(String source, String method, String path, String headers, String body)
      throws IOException {
    try (Socket s = new Socket()) {
      s.bind(new InetSocketAddress(InetAddress.getByName(source), 0));
      s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 5_000);
      s.setSoTimeout(10_000);
      byte[] b = body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8);
      String head =
          method
              + " "
              + path
              + " HTTP/1.1\r\nHost: "
              + host()
              + "\r\n"
              + headers
              + "Content-Length: "
              + b.length
              + "\r\nConnection: close\r\n\r\n";
      s.getOutputStream().write(head.getBytes(StandardCharsets.UTF_8));
      s.getOutputStream().write(b);
      return new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  private String raw(String method, String path, String headers, String body) throws IOException {
    return raw("127.0.0.1", method, path, headers, body);
  }

  private static int status(String response) {
    return Integer.parseInt(response.substring(9, 12));
  }

  private static String body(String response) {
    return response.substring(response.indexOf("\r\n\r\n") + 4).strip();
  }

  private static String header(String response, String name) {
    for (String line : response.substring(0, response.indexOf("\r\n\r\n")).split("\r\n", -1)) {
      if (line.regionMatches(true, 0, name + ":", 0, name.length() + 1)) {
        return line.substring(name.length() + 1).strip();
      }
    }
    return null;
  }

  private static String group(Pattern p, String text) {
    Matcher m = p.matcher(text);
    assertTrue(m.find(), p + " in " + text);
    return m.group(1);
  }

  /** A signed-in browser: its cookie and CSRF token. */
  private record Browser(String cookie, String csrf) {
    String cookieHeader() {
      return "Cookie: wssguard_session=" + cookie + "\r\n";
    }
  }

  private Browser signIn() throws IOException {
    String r =
        raw(
            "POST",
            "/session",
            "Authorization: Bearer " + token + "\r\nContent-Type: application/json\r\n",
            "{}");
    assertEquals(200, status(r), r);
    return new Browser(group(COOKIE, header(r, "Set-Cookie")), group(CSRF, body(r)));
  }

  @Test
  void signIn_setsAnHttpOnlySameSiteStrictCookie_andAnswersItsCsrfToken() throws Exception {
    String r =
        raw(
            "POST",
            "/session",
            "Authorization: Bearer "
                + token
                + "\r\nContent-Type: application/json\r\nCookie: wssguard_session=chosen-by-an-attacker\r\n",
            "{}");
    assertEquals(200, status(r), r);
    String cookie = header(r, "Set-Cookie");
    assertTrue(
        cookie.matches(
            "wssguard_session=[A-Za-z0-9_-]{43}; Max-Age=43200; Path=/; HttpOnly; SameSite=Strict"),
        cookie);
    assertFalse(cookie.contains("chosen-by-an-attacker"), "never the id the browser offered");
    assertTrue(
        body(r)
            .matches(
                "\\{\"csrf\":\"[A-Za-z0-9_-]{43}\",\"secondsLeft\":43(19\\d|200),\"idleSeconds\":1800\\}"),
        body(r));
    assertEquals("no-store", header(r, "Cache-Control"));
  }

  @Test
  void cookie_readsTheViews_butEveryChangeNeedsItsCsrfToken_fromItsOwnPage() throws Exception {
    Browser b = signIn();
    for (String path :
        new String[] {"/bans", "/overview", "/sources", "/policies", "/events", "/session"}) {
      assertEquals(200, status(raw("GET", path, b.cookieHeader(), null)), path);
    }
    String ban = "{\"target\":\"198.51.100.7\",\"for\":\"1h\"}";
    String json = "Content-Type: application/json\r\n";
    String noCsrf = raw("POST", "/bans", b.cookieHeader() + json, ban);
    assertEquals(403, status(noCsrf));
    assertEquals(
        "{\"error\":\"a valid X-CSRF-Token header is required with the session cookie\"}",
        body(noCsrf));
    String otherCsrf = signIn().csrf();
    assertEquals(
        403,
        status(
            raw(
                "POST",
                "/bans",
                b.cookieHeader() + json + "X-CSRF-Token: " + otherCsrf + "\r\n",
                ban)),
        "another session's token");
    String csrf = "X-CSRF-Token: " + b.csrf() + "\r\n";
    String fromElsewhere =
        raw(
            "POST",
            "/bans",
            b.cookieHeader() + json + csrf + "Origin: http://evil.example\r\n",
            ban);
    assertEquals(403, status(fromElsewhere));
    assertEquals(
        "{\"error\":\"Origin: 'http://evil.example' (expected: http://"
            + host()
            + ", this console's own page)\"}",
        body(fromElsewhere));
    assertEquals(
        403,
        status(
            raw(
                "POST",
                "/bans",
                b.cookieHeader() + json + csrf + "Sec-Fetch-Site: same-site\r\n",
                ban)));
    assertFalse(raw("GET", "/bans", b.cookieHeader(), null).contains("198.51.100.7"));

    String made =
        raw(
            "POST",
            "/bans",
            b.cookieHeader()
                + json
                + csrf
                + "Origin: http://"
                + host()
                + "\r\nSec-Fetch-Site: same-origin\r\n",
            ban);
    assertEquals(201, status(made), made);
    assertTrue(raw("GET", "/bans", b.cookieHeader(), null).contains("\"by\":\"console\""));
    assertEquals(
        200, status(raw("DELETE", "/bans/198.51.100.7", b.cookieHeader() + json + csrf, null)));
  }

  @Test
  void crossSiteFormPost_withTheCookie_isRefused_andBansNothing() throws Exception {
    Browser b = signIn();
    // What a browser sends for another site's <form enctype=text/plain> if it sent the cookie at
    // all (SameSite=Strict keeps it home; this is the worst case).
    String r =
        raw(
            "POST",
            "/bans",
            b.cookieHeader()
                + "Content-Type: text/plain\r\nOrigin: http://attacker.example\r\nSec-Fetch-Site: cross-site\r\n",
            "{\"target\":\"198.51.100.8/32\",\"for\":\"1h\",\"x\":\"=\"}");
    assertEquals(403, status(r), r);
    assertEquals("{\"error\":\"Sec-Fetch-Site: 'cross-site' (expected: same-origin)\"}", body(r));
    // Without the browser's headers (an old browser): still the CSRF token, then the media type.
    assertEquals(
        403, status(raw("POST", "/bans", b.cookieHeader() + "Content-Type: text/plain\r\n", "{}")));
    assertFalse(
        raw("GET", "/bans", b.cookieHeader(), null).contains("198.51.100.8"), "nothing banned");
  }

  @Test
  void pages_carryTheCsp_andRefuseSniffingReferrersAndFraming() throws Exception {
    for (String path :
        new String[] {
          "/",
          "/console/console.js",
          "/console/console.css",
          "/console/uPlot.js",
          "/console/icon.svg"
        }) {
      String r = raw("GET", path, "", null);
      assertEquals(200, status(r), path);
      assertEquals(CSP, header(r, "Content-Security-Policy"), path);
      assertEquals("nosniff", header(r, "X-Content-Type-Options"), path);
      assertEquals("no-referrer", header(r, "Referrer-Policy"), path);
      assertEquals("DENY", header(r, "X-Frame-Options"), path);
    }
    String page = body(raw("GET", "/", "", null));
    assertTrue(page.contains("<label for=\"token\">Admin token</label>"), page);
    assertFalse(page.contains("<script>"), "no inline script");
    assertFalse(page.contains("style="), "no inline style");
    assertFalse(page.contains("<style"), "no style element");
    assertEquals(
        "text/javascript; charset=utf-8",
        header(raw("GET", "/console/console.js", "", null), "Content-Type"));
    assertEquals(404, status(raw("GET", "/console/../admin.token", "", null)));
    assertEquals(404, status(raw("GET", "/console/nothing.js", "", null)));
  }

  @Test
  void signOut_endsTheSession_andClearsTheCookie() throws Exception {
    Browser b = signIn();
    String out =
        raw(
            "DELETE",
            "/session",
            b.cookieHeader()
                + "Content-Type: application/json\r\nX-CSRF-Token: "
                + b.csrf()
                + "\r\n",
            null);
    assertEquals(200, status(out), out);
    assertEquals("{\"signedOut\":true}", body(out));
    assertEquals(
        "wssguard_session=; Max-Age=0; Path=/; HttpOnly; SameSite=Strict",
        header(out, "Set-Cookie"));
    String after = raw("GET", "/bans", b.cookieHeader(), null);
    assertEquals(401, status(after));
    assertEquals("{\"error\":\"the console session has ended: sign in again\"}", body(after));
    assertEquals(401, status(raw("GET", "/session", b.cookieHeader(), null)));
  }

  @Test
  void signOut_needsTheCsrfToken() throws Exception {
    Browser b = signIn();
    assertEquals(
        403,
        status(
            raw(
                "DELETE",
                "/session",
                b.cookieHeader() + "Content-Type: application/json\r\n",
                null)));
    assertEquals(200, status(raw("GET", "/bans", b.cookieHeader(), null)), "still signed in");
  }

  @Test
  void wrongTokens_areRefused_thenLimitedPerSource_with429AndRetryAfter() throws Exception {
    String json = "Content-Type: application/json\r\n";
    for (int i = 0; i < 5; i++) {
      String r =
          raw(
              "127.0.0.77",
              "POST",
              "/session",
              json + "Authorization: Bearer guess" + i + "\r\n",
              "{}");
      assertEquals(401, status(r), r);
      assertEquals(
          "{\"error\":\"wrong admin token (it is in the file admin.tokenFile names)\"}", body(r));
      assertEquals(null, header(r, "Set-Cookie"));
    }
    String limited =
        raw(
            "127.0.0.77",
            "POST",
            "/session",
            json + "Authorization: Bearer " + token + "\r\n",
            "{}");
    assertEquals(429, status(limited), "even the right token, once over the limit");
    assertEquals("12", header(limited, "Retry-After"));
    assertEquals(
        "{\"error\":\"too many sign-in attempts from 127.0.0.77: try again in 12 s\"}",
        body(limited));
    assertEquals(
        200,
        status(
            raw(
                "127.0.0.78",
                "POST",
                "/session",
                json + "Authorization: Bearer " + token + "\r\n",
                "{}")),
        "another source signs in");
    // The bearer API for tools is unchanged.
    assertEquals(
        200,
        status(raw("127.0.0.77", "GET", "/bans", "Authorization: Bearer " + token + "\r\n", null)));
  }

  @Test
  void signIn_asAFormFromAnotherSite_isRefused() throws Exception {
    assertEquals(
        415,
        status(
            raw(
                "POST",
                "/session",
                "Content-Type: application/x-www-form-urlencoded\r\nAuthorization: Bearer "
                    + token
                    + "\r\n",
                "token=x")));
    assertEquals(
        403,
        status(
            raw(
                "POST",
                "/session",
                "Content-Type: application/json\r\nOrigin: http://evil.example\r\nAuthorization: Bearer "
                    + token
                    + "\r\n",
                "{}")));
  }

  @Test
  void reloadThatRotatesTheToken_signsEveryoneOut_andOneThatKeepsItDoesNot() throws Exception {
    Browser b = signIn();
    proxy.server.reload(proxy.server.config(), policies);
    assertEquals(200, status(raw("GET", "/bans", b.cookieHeader(), null)), "same token: kept");
    Files.writeString(tokenFile(), "a-new-token-0123456789abcdef\n");
    proxy.server.reload(proxy.server.config(), policies);
    assertEquals(401, status(raw("GET", "/bans", b.cookieHeader(), null)), "rotated: signed out");
  }
}
