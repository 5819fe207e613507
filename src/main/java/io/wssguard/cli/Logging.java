package io.wssguard.cli;

import java.util.logging.Level;
import java.util.logging.Logger;

/** One-line log records on stderr; the libraries' own chatter only from WARNING up. */
final class Logging {
  /** Held so the levels stick: the logging framework keeps loggers only weakly. */
  private static final java.util.List<Logger> QUIETED = new java.util.ArrayList<>();

  private Logging() {}

  static void configure() {
    if (System.getProperty("java.util.logging.SimpleFormatter.format") == null) {
      System.setProperty(
          "java.util.logging.SimpleFormatter.format", "%1$tFT%1$tT.%1$tL %4$s %3$s: %5$s%6$s%n");
    }
    for (String quiet :
        new String[] {
          "org.xnio", "org.jboss", "io.undertow", "io.netty", "io.lettuce", "reactor"
        }) {
      Logger logger = Logger.getLogger(quiet);
      logger.setLevel(Level.WARNING);
      QUIETED.add(logger);
    }
  }
}
