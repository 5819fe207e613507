package io.wssguard.testing;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * What a {@code java.util.logging} logger publishes from {@link #of} until {@link #close}, for
 * tests that check what was logged. Holds the logger, so the JDK cannot drop it (and this handler)
 * while the test runs.
 */
public final class CapturedLog extends Handler implements AutoCloseable {
  private final Logger logger;
  private final List<LogRecord> records = new CopyOnWriteArrayList<>();

  private CapturedLog(Logger logger) {
    this.logger = logger;
  }

  /** Starts capturing what {@code logger} (and the loggers below it) publish. */
  public static CapturedLog of(Logger logger) {
    CapturedLog log = new CapturedLog(logger);
    logger.addHandler(log);
    return log;
  }

  /** {@link #of(Logger)} for the logger of that name; {@code ""} is the root logger. */
  public static CapturedLog of(String loggerName) {
    return of(Logger.getLogger(loggerName));
  }

  /** Every record so far, oldest first. */
  public List<LogRecord> records() {
    return List.copyOf(records);
  }

  /** The records at {@code level} or above, oldest first. */
  public List<LogRecord> atLeast(Level level) {
    return records.stream().filter(r -> r.getLevel().intValue() >= level.intValue()).toList();
  }

  /** The raw message of every record so far, oldest first. */
  public List<String> messages() {
    return records.stream().map(LogRecord::getMessage).toList();
  }

  @Override
  public void publish(LogRecord record) {
    records.add(record);
  }

  @Override
  public void flush() {}

  /** Stops capturing. */
  @Override
  public void close() {
    logger.removeHandler(this);
  }
}
