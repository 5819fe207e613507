package io.wssguard.testing;

import static org.junit.jupiter.api.Assertions.fail;

import java.time.Duration;
import java.util.function.Supplier;

/**
 * Waits for a state that another thread or process brings about, polling until a deadline: the test
 * goes on as soon as the state holds, and a deadline generous enough for a loaded 2-core machine
 * costs nothing when things are fast. The one place tests poll.
 */
public final class Await {
  private static final long POLL_MILLIS = 20;

  /** A state to wait for; may throw (runs a command, reads a file), which ends the wait at once. */
  public interface Condition {
    boolean holds() throws Exception;
  }

  private Await() {}

  /** Returns once {@code condition} holds; fails with {@code what} after {@code within}. */
  public static void until(Condition condition, Duration within, Supplier<String> what)
      throws Exception {
    long deadline = System.nanoTime() + within.toNanos();
    while (!condition.holds()) {
      if (System.nanoTime() - deadline > 0) {
        fail("not within " + within.toMillis() + " ms: " + what.get());
      }
      Thread.sleep(POLL_MILLIS);
    }
  }

  public static void until(Condition condition, Duration within, String what) throws Exception {
    until(condition, within, () -> what);
  }
}
