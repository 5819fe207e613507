package io.wssguard.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Upgraded clients from distinct loopback addresses, each sending a small text message at its own
 * rate from one loop: a well-behaved population and a few abusers, for the policy lab's tests.
 */
final class PacedClients implements AutoCloseable {
  private static final byte[] MESSAGE = "{\"say\":\"hello\"}".getBytes(StandardCharsets.UTF_8);

  private final List<RawClient> clients = new ArrayList<>();
  private final List<Integer> rates = new ArrayList<>();

  /**
   * Connects one client from each of {@code sources} to {@code port} and upgrades it on {@code
   * path}.
   */
  PacedClients add(int port, List<String> sources, int perSecond, String path) throws IOException {
    for (String source : sources) {
      clients.add(RawClient.connect(port, false, source).upgrade(path));
      rates.add(perSecond);
    }
    return this;
  }

  /**
   * Sends for {@code seconds}. Each client keeps to its own schedule; a late loop catches up, never
   * sends beyond it.
   */
  void send(long seconds) throws IOException {
    int[] sent = new int[clients.size()];
    long start = System.nanoTime();
    long end = start + TimeUnit.SECONDS.toNanos(seconds);
    for (long now = start; now < end; now = System.nanoTime()) {
      for (int i = 0; i < clients.size(); i++) {
        long due = (now - start) * rates.get(i) / TimeUnit.SECONDS.toNanos(1);
        while (sent[i] < due) {
          clients.get(i).send(RawClient.frame(0x81, MESSAGE));
          sent[i]++;
        }
      }
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
    }
  }

  /**
   * Closes every client with 1000 and waits for the echoed close, which comes after every frame
   * before it was relayed.
   */
  @Override
  public void close() throws IOException {
    for (RawClient c : clients) {
      c.send(RawClient.frame(0x88, RawClient.closePayload(1000, "bye")));
      assertEquals(1000, c.readCloseCode());
      c.close();
    }
  }
}
