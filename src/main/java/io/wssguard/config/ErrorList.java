package io.wssguard.config;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.nodes.Node;

/**
 * Collects the errors of one parse, positioned in one file; sorted into file order and capped when
 * thrown.
 */
public final class ErrorList {
  private final String file;
  private final List<ConfigError> errors = new ArrayList<>();

  /**
   * @param file the name errors are reported under
   */
  public ErrorList(String file) {
    this.file = file;
  }

  public void at(Node node, String message) {
    at(node.getStartMark(), message);
  }

  /** SnakeYAML marks are 0-based; reported positions are 1-based. */
  public void at(Mark mark, String message) {
    if (mark == null) {
      errors.add(new ConfigError(file, 0, 0, message));
    } else {
      errors.add(new ConfigError(file, mark.getLine() + 1, mark.getColumn() + 1, message));
    }
  }

  /** At an explicit 1-based position; line 0 and column 0 for an error about the whole file. */
  public void at(int line, int column, String message) {
    errors.add(new ConfigError(file, line, column, message));
  }

  public int size() {
    return errors.size();
  }

  public String file() {
    return file;
  }

  /** The errors in file order, capped at {@link ConfigParser#MAX_ERRORS}. */
  public ConfigException toException() {
    return toException(List.of(this));
  }

  /**
   * The errors of several files in one exception: file by file in the given order, each in file
   * order, capped at {@link ConfigParser#MAX_ERRORS} in all.
   */
  public static ConfigException toException(Collection<ErrorList> lists) {
    List<ConfigError> all = new ArrayList<>();
    for (ErrorList list : lists) {
      List<ConfigError> sorted = new ArrayList<>(list.errors);
      sorted.sort(Comparator.comparingInt(ConfigError::line).thenComparingInt(ConfigError::column));
      all.addAll(sorted);
    }
    int kept = Math.min(all.size(), ConfigParser.MAX_ERRORS);
    return new ConfigException(all.subList(0, kept), all.size() - kept);
  }
}
