package io.wssguard.config;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;

/**
 * One YAML mapping: reading it reports repeated keys, non-scalar keys and (for a fixed schema)
 * unknown keys with the valid ones listed, so section code only asks for what it knows. The first
 * occurrence of a repeated key wins.
 */
public final class YamlMapping {
  private final MappingNode node;
  private final String path;
  private final ErrorList errors;
  private final Map<String, NodeTuple> entries = new LinkedHashMap<>();

  /**
   * @param path where this mapping sits, e.g. {@code routes[0]}; empty for the top level
   * @param keys the valid keys in documented order (the order errors list them in), or {@code null}
   *     for any key
   */
  YamlMapping(MappingNode node, String path, List<String> keys, ErrorList errors) {
    this.node = node;
    this.path = path;
    this.errors = errors;
    String expected = keys == null ? "a plain name" : "one of: " + String.join(", ", keys);
    Map<String, Node> firstKeys = new HashMap<>();
    for (NodeTuple tuple : node.getValue()) {
      Node keyNode = tuple.getKeyNode();
      if (!(keyNode instanceof ScalarNode scalar)) {
        errors.at(keyNode, "key must be a plain name" + in() + " (expected " + expected + ")");
        continue;
      }
      String key = scalar.getValue();
      Node first = firstKeys.putIfAbsent(key, keyNode);
      if (first != null) {
        errors.at(
            keyNode,
            "duplicate key '"
                + key
                + "'"
                + in()
                + " (first at line "
                + (first.getStartMark().getLine() + 1)
                + ")");
      } else if (keys != null && !keys.contains(key)) {
        errors.at(keyNode, "unknown key '" + key + "'" + in() + " (expected " + expected + ")");
      } else {
        entries.put(key, tuple);
      }
    }
  }

  /** The value of an optional key, or {@code null} when absent. */
  public Node get(String key) {
    NodeTuple tuple = entries.get(key);
    return tuple == null ? null : tuple.getValueNode();
  }

  /**
   * The value of a required key; when absent, reports it at the mapping's start and returns {@code
   * null}.
   */
  public Node required(String key) {
    Node value = get(key);
    if (value == null) {
      errors.at(node, (path.isEmpty() ? "" : path + ": ") + "missing required key '" + key + "'");
    }
    return value;
  }

  /** The node of a present key (for errors about the name itself). */
  public Node keyNode(String key) {
    return entries.get(key).getKeyNode();
  }

  /** The accepted keys, in file order. */
  public Set<String> keys() {
    return entries.keySet();
  }

  /** The path of a key of this mapping, e.g. {@code routes[0].backend}. */
  public String pathOf(String key) {
    return path.isEmpty() ? key : path + "." + key;
  }

  public MappingNode node() {
    return node;
  }

  private String in() {
    return path.isEmpty() ? "" : " in " + path;
  }
}
