package io.wssguard.config;

/**
 * One problem found in a configuration file, with the position it was found at.
 *
 * @param file the file name as given to the parser (or {@code <embedded defaults>})
 * @param line 1-based line, or 0 when the problem concerns the whole file (it could not be read)
 * @param column 1-based column, or 0 together with line 0
 * @param message what was found and what was expected, without the position
 */
public record ConfigError(String file, int line, int column, String message) {

  /** {@code file:line:column: message}, or {@code file: message} when the error has no position. */
  @Override
  public String toString() {
    if (line == 0) {
      return file + ": " + message;
    }
    return file + ":" + line + ":" + column + ": " + message;
  }
}
