package io.wssguard.config;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.nodes.Node;

/** Collects the errors of one parse, positioned in one file; sorted into file order and capped when thrown. */
final class ErrorList {
  private final String file;
  private final List<ConfigError> errors = new ArrayList<>();

  ErrorList(String file) {
    this.file = file;
  }

  void at(Node node, String message) {
    at(node.getStartMark(), message);
  }

  /** SnakeYAML marks are 0-based; reported positions are 1-based. */
  void at(Mark mark, String message) {
    if (mark == null) {
      errors.add(new ConfigError(file, 0, 0, message));
    } else {
      errors.add(new ConfigError(file, mark.getLine() + 1, mark.getColumn() + 1, message));
    }
  }

  void at(int line, int column, String message) {
    errors.add(new ConfigError(file, line, column, message));
  }

  int size() {
    return errors.size();
  }

  ConfigException toException() {
    List<ConfigError> sorted = new ArrayList<>(errors);
    sorted.sort(Comparator.comparingInt(ConfigError::line).thenComparingInt(ConfigError::column));
    int kept = Math.min(sorted.size(), ConfigParser.MAX_ERRORS);
    return new ConfigException(sorted.subList(0, kept), sorted.size() - kept);
  }
}
