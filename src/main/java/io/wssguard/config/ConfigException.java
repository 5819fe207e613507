package io.wssguard.config;

import java.util.List;
import java.util.stream.Collectors;

/**
 * A configuration could not be accepted. Carries every problem found (up to {@link
 * ConfigParser#MAX_ERRORS}), in file order; {@link #getMessage()} is one error per line, ready to
 * print.
 */
public final class ConfigException extends Exception {
  private static final long serialVersionUID = 1L;

  private final List<ConfigError> errors;
  private final int omitted;

  ConfigException(List<ConfigError> errors, int omitted) {
    super(null, null, false, false);
    if (errors.isEmpty()) {
      throw new IllegalArgumentException("a ConfigException needs at least one error");
    }
    this.errors = List.copyOf(errors);
    this.omitted = omitted;
  }

  /** The errors, in file order. */
  public List<ConfigError> errors() {
    return errors;
  }

  /** How many further errors were found but not kept, because there were more than the cap. */
  public int omitted() {
    return omitted;
  }

  @Override
  public String getMessage() {
    String all = errors.stream().map(ConfigError::toString).collect(Collectors.joining("\n"));
    return omitted == 0 ? all : all + "\n(" + omitted + " more errors not shown)";
  }
}
