package io.wssguard.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.management.ObjectName;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * What an open conversation keeps on the heap. Idle conversations are most of what a proxy holds,
 * so the HTTP exchange that opened one (request and response headers, parser state) must be garbage
 * once the 101 is out. Counted with the JVM's own live-object histogram, after a full collection.
 */
class ConversationFootprintIT {
  private static final int CONVERSATIONS = 30;

  /** " 12: 30 2400 io.wssguard.relay.Relay": rank, instances, bytes, class. */
  private static final Pattern HISTOGRAM_LINE =
      Pattern.compile("^\\s*\\d+:\\s+(\\d+)\\s+\\d+\\s+(\\S+)", Pattern.MULTILINE);

  @TempDir static Path certs;
  static NodeBackend node;
  static TestProxy proxy;

  @BeforeAll
  static void start() throws Exception {
    node = NodeBackend.start();
    proxy = TestProxy.builder(certs).backend("node", node.url("/")).route("/", "node").start();
  }

  @AfterAll
  static void stop() throws Exception {
    proxy.close();
    node.close();
  }

  @ParameterizedTest
  @ValueSource(strings = {"plain", "boring"})
  void openConversations_keepNoHttpExchange(String listener) throws Exception {
    String scheme = listener.equals("plain") ? "ws" : "wss";
    List<JdkClient> clients = new ArrayList<>();
    try {
      for (int i = 0; i < CONVERSATIONS; i++) {
        JdkClient c =
            JdkClient.connect(
                URI.create(scheme + "://127.0.0.1:" + proxy.port(listener) + "/echo"));
        clients.add(c);
        assertEquals("hi " + i, c.sendTextAndAwait("hi " + i)); // the relay runs
      }
      String histogram = liveHistogram();
      // The histogram sees the conversations (so a parse that found nothing cannot pass)...
      assertTrue(
          instances(histogram, "io.wssguard.relay.Relay") >= CONVERSATIONS,
          () -> "relays: " + instances(histogram, "io.wssguard.relay.Relay"));
      // ...and none of their exchanges (a few may belong to handshakes of other tests' leftovers).
      long exchanges = instances(histogram, "io.undertow.server.HttpServerExchange");
      assertTrue(exchanges < CONVERSATIONS / 3, () -> exchanges + " live HTTP exchanges");
    } finally {
      for (JdkClient c : clients) {
        c.ws.abort();
      }
    }
  }

  /** The live-object histogram of this JVM (GC.class_histogram collects garbage first). */
  private static String liveHistogram() throws Exception {
    return (String)
        ManagementFactory.getPlatformMBeanServer()
            .invoke(
                new ObjectName("com.sun.management:type=DiagnosticCommand"),
                "gcClassHistogram",
                new Object[] {new String[0]},
                new String[] {String[].class.getName()});
  }

  /** The instance count on the histogram's line for exactly {@code className}, 0 if none. */
  private static long instances(String histogram, String className) {
    Matcher m = HISTOGRAM_LINE.matcher(histogram);
    while (m.find()) {
      if (m.group(2).equals(className)) {
        return Long.parseLong(m.group(1));
      }
    }
    return 0;
  }
}
