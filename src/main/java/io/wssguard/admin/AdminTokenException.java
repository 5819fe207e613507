package io.wssguard.admin;

import java.io.IOException;
import java.nio.file.Path;

/**
 * The admin token file is missing, unreadable or not a token: a file the configuration names is at
 * fault, so retrying cannot help ({@code run} exits 2, {@code check} reports it).
 */
public final class AdminTokenException extends IOException {
  private static final long serialVersionUID = 1L;

  private final transient Path file;
  private final String problem;

  AdminTokenException(Path file, String problem, Throwable cause) {
    super("admin token file " + file + " " + problem, cause);
    this.file = file;
    this.problem = problem;
  }

  AdminTokenException(Path file, String problem) {
    this(file, problem, null);
  }

  public Path file() {
    return file;
  }

  /** What is wrong, without the file: {@code is empty}, {@code not found (...)}. */
  public String problem() {
    return problem;
  }
}
