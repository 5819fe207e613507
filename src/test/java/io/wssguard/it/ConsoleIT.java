package io.wssguard.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.sun.net.httpserver.HttpServer;
import io.wssguard.config.AdminConfig;
import io.wssguard.config.RouteConfig;
import io.wssguard.demo.DemoEchoBackend;
import io.wssguard.policy.AccessRules;
import io.wssguard.policy.HandshakeRules;
import io.wssguard.policy.Mode;
import io.wssguard.policy.PerConnectionLimits;
import io.wssguard.policy.PerIpLimits;
import io.wssguard.policy.StrikeRules;
import io.wssguard.testing.Await;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.NoSuchElementException;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;

/**
 * The security console in a real browser (Debian's Chromium through its chromedriver; {@code
 * .ci/run} installs both, and the test is skipped, saying so, where they are missing): sign-in with
 * the token from the file, live counts, ban and unban through the page, a strike-made ban showing
 * up without a reload, a wrong token, and another site's form posting to the ban endpoint.
 * Screenshots of each view at laptop and phone size go to {@code target/console-screenshots/}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ConsoleIT {
  private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
  private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
  private static final Path SHOTS = Path.of("target", "console-screenshots");
  private static final Duration WAIT = Duration.ofSeconds(10);

  @TempDir static Path dir;
  private DemoEchoBackend demo;
  private TestProxy proxy;
  private WebDriver browser;
  private HttpServer otherSite;
  private String token;
  private int width;
  private int height;

  @BeforeAll
  void start() throws Exception {
    assumeTrue(
        Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER),
        "Chromium and its driver are not installed (apt-get install chromium chromium-driver;"
            + " .ci/run does): the console's browser tests are skipped");
    demo = DemoEchoBackend.start(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
    proxy =
        TestProxy.builder(dir)
            .backend("demo", "ws://127.0.0.1:" + demo.address().getPort() + "/")
            .route(new RouteConfig(null, "/watch", "demo", false, 1 << 20, "watch"))
            .route("/", "demo")
            .policies(
                TestPolicies.set(
                    TestPolicies.policy(
                        "default",
                        Mode.ENFORCE,
                        HandshakeRules.NONE,
                        PerIpLimits.NONE,
                        PerConnectionLimits.NONE,
                        AccessRules.NONE,
                        new StrikeRules(3, Duration.ofMinutes(10), Duration.ofMinutes(5))),
                    TestPolicies.policy(
                        "watch",
                        Mode.MONITOR,
                        HandshakeRules.NONE,
                        PerIpLimits.NONE,
                        PerConnectionLimits.NONE,
                        AccessRules.NONE,
                        null)))
            .admin(
                new AdminConfig(
                    new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                    dir.resolve("state/admin.token"),
                    true,
                    true))
            .start();
    token = Files.readString(dir.resolve("state/admin.token")).strip();
    browser = chromium();
  }

  private static WebDriver chromium() {
    // The driver and browser are Debian's: Selenium Manager is never asked to download either.
    System.setProperty("webdriver.chrome.driver", CHROMEDRIVER.toString());
    ChromeDriverService service =
        new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER.toFile()).build();
    ChromeOptions options = new ChromeOptions();
    options.setBinary(CHROMIUM.toFile());
    options.addArguments(
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-dev-shm-usage",
        "--window-size=1400,1000");
    LoggingPreferences logs = new LoggingPreferences();
    logs.enable(LogType.BROWSER, Level.ALL);
    options.setCapability("goog:loggingPrefs", logs);
    return new ChromeDriver(service, options);
  }

  @AfterAll
  void stop() throws Exception {
    if (browser != null) {
      browser.quit();
    }
    if (otherSite != null) {
      otherSite.stop(0);
    }
    if (proxy != null) {
      proxy.close();
    }
    if (demo != null) {
      demo.close();
    }
  }

  @BeforeEach
  void laptopSize() {
    screen(1280, 800);
  }

  /**
   * The page's viewport as a laptop's or a phone's (Chrome's device emulation; the page's layout
   * follows the width, so no mobile user agent or touch is needed).
   */
  private void screen(int width, int height) {
    ((ChromeDriver) browser)
        .executeCdpCommand(
            "Emulation.setDeviceMetricsOverride",
            Map.of("width", width, "height", height, "deviceScaleFactor", 1, "mobile", false));
    this.width = width;
    this.height = height;
  }

  private String admin() {
    return proxy.server.adminUrl();
  }

  private AdminClient api() {
    return new AdminClient(admin(), token);
  }

  private WebElement byId(String id) {
    return browser.findElement(By.id(id));
  }

  private void signIn(String withToken) {
    WebElement field = byId("token");
    field.clear();
    field.sendKeys(withToken);
    browser.findElement(By.xpath("//button[normalize-space()='Sign in']")).click();
  }

  private void openSignedIn() throws Exception {
    browser.get(admin());
    Await.until(
        () -> byId("signin").isDisplayed() || byId("nav").isDisplayed(),
        WAIT,
        "the page shows the sign-in form or the views");
    if (byId("signin").isDisplayed()) {
      signIn(token);
      Await.until(() -> byId("overview").isDisplayed(), WAIT, "the overview after sign-in");
    }
  }

  private void view(String name) throws Exception {
    browser.findElement(By.cssSelector("#nav a[data-view='" + name + "']")).click();
    Await.until(() -> byId(name).isDisplayed(), WAIT, "the " + name + " view");
  }

  private void screenshot(String name) throws Exception {
    Files.createDirectories(SHOTS);
    byte[] png = ((TakesScreenshot) browser).getScreenshotAs(OutputType.BYTES);
    Files.write(SHOTS.resolve(name + "-" + width + "x" + height + ".png"), png);
  }

  private List<String> cspViolations() {
    List<String> found = new ArrayList<>();
    for (LogEntry e : browser.manage().logs().get(LogType.BROWSER)) {
      // (401s of the sign-in are logged too, as failed loads: not what this looks for.)
      if (e.getMessage().contains("Content Security Policy")
          || e.getMessage().contains("Uncaught")) {
        found.add(e.getMessage());
      }
    }
    return found;
  }

  @Test
  @Order(1)
  void wrongToken_isRefused_withAClearMessage() throws Exception {
    browser.get(admin());
    Await.until(() -> byId("signin").isDisplayed(), WAIT, "the sign-in form");
    screenshot("signin");
    signIn("not-the-token");
    Await.until(
        () -> byId("signin-error").getText().equals("Wrong admin token."),
        WAIT,
        () -> "the refusal, not: " + byId("signin-error").getText());
    assertFalse(byId("nav").isDisplayed(), "still signed out");
  }

  @Test
  @Order(2)
  void signIn_withTheTokenFromTheFile_showsConversationsOpening() throws Exception {
    openSignedIn();
    Await.until(() -> byId("open-count").getText().equals("0"), WAIT, "no conversations yet");
    List<JdkClient> open = new ArrayList<>();
    try {
      for (int i = 0; i < 3; i++) {
        JdkClient c =
            JdkClient.connect(URI.create("ws://127.0.0.1:" + proxy.port("plain") + "/echo"));
        open.add(c);
        assertEquals("hello " + i, c.sendTextAndAwait("hello " + i));
      }
      Await.until(
          () -> byId("open-count").getText().equals("3"),
          WAIT,
          () -> "3 open conversations on the page, not " + byId("open-count").getText());
      screenshot("overview");
    } finally {
      for (JdkClient c : open) {
        c.ws.sendClose(1000, "done").get();
      }
    }
    Await.until(
        () -> byId("open-count").getText().equals("0"),
        WAIT,
        () -> "back to 0 open conversations, not " + byId("open-count").getText());
    assertEquals(List.of(), cspViolations(), "the page runs within its CSP, without errors");
  }

  @Test
  @Order(3)
  void banForm_bansTheAddress_andTheRowsUnbanButtonLiftsIt() throws Exception {
    openSignedIn();
    view("bans");
    byId("ban-address").sendKeys("203.0.113.7");
    byId("ban-duration").clear();
    byId("ban-duration").sendKeys("2h");
    byId("ban-reason").sendKeys("<img src=x onerror=alert(1)> probing");
    browser.findElement(By.xpath("//button[normalize-space()='Ban']")).click();
    Await.until(
        () -> api().get("/bans").body().contains("\"target\":\"203.0.113.7/32\""),
        WAIT,
        "GET /bans lists the ban made with the form");
    // Noted as the console's a moment after the ban is in force.
    Await.until(
        () -> api().get("/bans").body().contains("\"by\":\"console\""),
        WAIT,
        "the ban noted as the console's in GET /bans");
    Await.until(
        () -> rowOf("bans-table", "203.0.113.7/32").contains("console"),
        WAIT,
        "the ban's origin on the page");
    String row = rowOf("bans-table", "203.0.113.7/32");
    assertTrue(
        row.contains("<img src=x onerror=alert(1)> probing"),
        "the reason is shown as text: " + row);
    assertTrue(
        browser.findElements(By.cssSelector("#bans-table img")).isEmpty(), "no element from it");
    screenshot("bans");

    // A refusal is shown next to the field, in the server's words.
    byId("ban-address").sendKeys("10.0.0.0/8");
    browser.findElement(By.xpath("//button[normalize-space()='Ban']")).click();
    Await.until(
        () -> byId("ban-error").getText().contains("/8"),
        WAIT,
        () -> "the too-wide refusal, not: " + byId("ban-error").getText());
    byId("ban-address").clear();

    clickInRow("bans-table", "203.0.113.7/32", "Unban");
    Await.until(
        () -> !api().get("/bans").body().contains("203.0.113.7"),
        WAIT,
        "GET /bans no longer lists the ban lifted with Unban");
    Await.until(
        () -> !byId("bans-table").getText().contains("203.0.113.7"), WAIT, "the row is gone");
  }

  /**
   * The text of the row of {@code table} whose cell reads {@code text}. The page redraws its tables
   * every second, so an element found may be gone a moment later: look again.
   */
  private String rowOf(String table, String text) throws Exception {
    String[] found = {null};
    Await.until(
        () -> {
          try {
            found[0] = row(table, text).getText();
            return true;
          } catch (NoSuchElementException | StaleElementReferenceException e) {
            return false;
          }
        },
        WAIT,
        () -> text + " in #" + table);
    return found[0];
  }

  private WebElement row(String table, String text) {
    return byId(table).findElement(By.xpath(".//tr[td[normalize-space()='" + text + "']]"));
  }

  /** Clicks the button named {@code button} in the row of {@code table} that reads {@code text}. */
  private void clickInRow(String table, String text, String button) throws Exception {
    Await.until(
        () -> {
          try {
            row(table, text)
                .findElement(By.xpath(".//button[normalize-space()='" + button + "']"))
                .click();
            return true;
          } catch (NoSuchElementException | StaleElementReferenceException e) {
            return false;
          }
        },
        WAIT,
        () -> "the " + button + " button of " + text + " in #" + table);
  }

  @Test
  @Order(4)
  void strikeMadeBan_appearsWithinTwoSeconds_withoutReloading() throws Exception {
    openSignedIn();
    view("bans");
    assertFalse(byId("bans-table").getText().contains("127.0.0.42"));
    String from = "127.0.0.42";
    int port = proxy.port("plain");
    try (RawClient c = RawClient.connect(port, false, from)) {
      c.request("GET /echo HTTP/1.1\r\nHost: localhost\r\n\r\n");
    }
    try (RawClient c = RawClient.connect(port, false, from)) {
      c.request(RawClient.upgradeRequest("/echo").replace("GET", "PUT"));
    }
    try (RawClient c = RawClient.connect(port, false, from)) {
      c.request(RawClient.upgradeRequest("/x/../echo"));
    }
    Await.until(
        () -> api().get("/bans").body().contains("127.0.0.42/32"), WAIT, "three strikes: banned");
    long banned = System.nanoTime();
    Await.until(
        () -> byId("bans-table").getText().contains("127.0.0.42/32"),
        Duration.ofSeconds(2),
        "the strike-made ban on the page within 2 s, without a reload");
    assertTrue(System.nanoTime() - banned < Duration.ofSeconds(2).toNanos());
    assertTrue(rowOf("bans-table", "127.0.0.42/32").contains("strikes"));

    view("events");
    Await.until(
        () -> byId("events-table").getText().contains("strike"), WAIT, "the strikes as events");
    screenshot("events");
    view("sources");
    Await.until(
        () -> byId("refused-table").getText().contains("127.0.0.42"),
        WAIT,
        "the source among the most refused");
    screenshot("sources");
    // One click from a source to the ban form, filled in.
    clickInRow("busiest-table", "127.0.0.1", "Ban…");
    Await.until(() -> byId("bans").isDisplayed(), WAIT, "the bans view");
    assertEquals("127.0.0.1", byId("ban-address").getAttribute("value"));
    view("policies");
    Await.until(
        () -> byId("policy-routes").getText().contains("Monitor mode"),
        WAIT,
        "the policies explained");
    screenshot("policies");
  }

  @Test
  @Order(5)
  void everyView_atPhoneSize() throws Exception {
    openSignedIn();
    screen(390, 844);
    for (String v : List.of("overview", "sources", "bans", "policies", "events")) {
      view(v);
      screenshot(v);
      // Nothing wider than the screen: wide tables scroll in their own boxes.
      Object width =
          ((JavascriptExecutor) browser)
              .executeScript("return document.documentElement.scrollWidth;");
      assertTrue(((Number) width).intValue() <= 390, v + ": page width " + width);
    }
  }

  @Test
  @Order(6)
  void anotherSitesFormPost_toTheBanEndpoint_isRefused() throws Exception {
    openSignedIn();
    // A page of another origin (same host, another port: the cookie is sent, so every other check
    // must hold) with the classic text/plain form that smuggles a JSON body.
    otherSite = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    String page =
        "<!doctype html><form method=post enctype=text/plain action='"
            + admin()
            + "bans'><input type=hidden name='{\"target\":\"198.51.100.9/32\",\"for\":\"1h\",\"x\":\"'"
            + " value='\"}'><button id=go>Win a prize</button></form>";
    otherSite.createContext(
        "/",
        ex -> {
          byte[] b = page.getBytes(StandardCharsets.UTF_8);
          ex.getResponseHeaders().add("Content-Type", "text/html");
          ex.sendResponseHeaders(200, b.length);
          ex.getResponseBody().write(b);
          ex.close();
        });
    otherSite.start();
    browser.get("http://127.0.0.1:" + otherSite.getAddress().getPort() + "/");
    byId("go").click();
    Await.until(
        () -> browser.getPageSource().contains("error"), WAIT, "the admin listener's refusal");
    String answer = browser.findElement(By.tagName("body")).getText();
    assertTrue(answer.contains("same-origin") || answer.contains("Origin"), answer);
    assertFalse(api().get("/bans").body().contains("198.51.100.9"), "nothing was banned");
  }

  @Test
  @Order(7)
  void signOut_endsTheSession() throws Exception {
    openSignedIn();
    browser.findElement(By.xpath("//button[normalize-space()='Sign out']")).click();
    Await.until(() -> byId("signin").isDisplayed(), WAIT, "the sign-in form after sign-out");
    browser.navigate().refresh();
    Await.until(() -> byId("signin").isDisplayed(), WAIT, "still signed out after a reload");
    assertFalse(byId("nav").isDisplayed());
  }
}
