package io.wssguard.config;

import io.wssguard.net.Cidr;
import io.wssguard.quantity.Quantities;
import java.io.IOException;
import java.io.StringReader;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.events.Event;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;
import org.yaml.snakeyaml.reader.ReaderException;

/**
 * The strict YAML reading shared by the config parser and the policy parser: compose a node graph
 * (never objects), reject custom tags, and read typed values out of nodes. A value that is wrong is
 * reported to the {@link ErrorList} as {@code path: found (expected: ...)} and comes back as {@code
 * null} (or -1), so the caller skips it and reads on; one run reports every mistake in a file.
 */
public final class YamlReader {
  /**
   * Core-schema tags; anything else ({@code !env}, {@code !!python/...}) would be silently read as
   * text.
   */
  private static final Set<Tag> PLAIN_TAGS =
      Set.of(Tag.STR, Tag.INT, Tag.FLOAT, Tag.BOOL, Tag.NULL, Tag.TIMESTAMP, Tag.SEQ, Tag.MAP);

  private static final Pattern INTEGER = Pattern.compile("[0-9]{1,15}");
  private static final Pattern DECIMAL = Pattern.compile("[0-9]{1,3}(\\.[0-9]{1,9})?");

  private final ErrorList errors;
  private final String documentName;

  /**
   * @param documentName what the whole file is called in an error about its top level, e.g. {@code
   *     configuration}
   */
  public YamlReader(ErrorList errors, String documentName) {
    this.errors = errors;
    this.documentName = documentName;
  }

  public ErrorList errors() {
    return errors;
  }

  // ---- files and documents ----

  /** The bytes of a file, or {@code null} with a position-less {@code cannot read: ...} error. */
  public static byte[] readFile(Path file, ErrorList errors) {
    try {
      return Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      errors.at(0, 0, "cannot read: no such file");
    } catch (AccessDeniedException e) {
      errors.at(0, 0, "cannot read: permission denied");
    } catch (IOException e) {
      errors.at(0, 0, "cannot read: " + e.getMessage());
    }
    return null;
  }

  /**
   * The text of UTF-8 bytes, or {@code null} with a position-less error when they are not UTF-8.
   */
  public static String decodeUtf8(byte[] bytes, ErrorList errors) {
    try {
      return StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes))
          .toString();
    } catch (CharacterCodingException e) {
      errors.at(0, 0, "cannot read: not UTF-8 text");
      return null;
    }
  }

  /**
   * The root node of one YAML document with its tags checked, or {@code null} when the text is
   * empty (nothing reported) or not valid YAML (reported).
   */
  public Node compose(String text) {
    Node root;
    try {
      root = new Yaml(new LoaderOptions()).compose(new StringReader(text));
    } catch (MarkedYAMLException e) {
      errors.at(
          e.getProblemMark() != null ? e.getProblemMark() : e.getContextMark(), syntaxMessage(e));
      return null;
    } catch (ReaderException e) {
      int[] position = lineAndColumn(text, e.getPosition());
      errors.at(
          position[0],
          position[1],
          String.format("invalid YAML: character U+%04X is not allowed", e.getCodePoint()));
      return null;
    } catch (YAMLException | IllegalArgumentException e) {
      // SnakeYAML says where for every syntax error but a few internal ones (a simple key that is
      // not the first token of its line; an IllegalArgumentException for a tag with spaces):
      // point at where the last well-formed element ended.
      Mark near = lastGoodMark(text);
      errors.at(
          near == null ? 1 : near.getLine() + 1,
          near == null ? 1 : near.getColumn() + 1,
          "invalid YAML: " + e.getMessage() + " (after the last well-formed element)");
      return null;
    }
    if (root != null) {
      checkTags(root, Collections.newSetFromMap(new IdentityHashMap<>()));
    }
    return root;
  }

  /** Where the last YAML event that parsed ended, or null when none did. */
  private static Mark lastGoodMark(String text) {
    Mark last = null;
    try {
      for (Event event : new Yaml(new LoaderOptions()).parse(new StringReader(text))) {
        last = event.getEndMark();
      }
    } catch (YAMLException | IllegalArgumentException e) {
      // Expected: the same error again. What parsed before it is what we wanted.
    }
    return last;
  }

  /**
   * SnakeYAML's problem, plus its context when that helps find the cause: "while scanning a quoted
   * scalar" is only useful with where the scalar started.
   */
  private static String syntaxMessage(MarkedYAMLException e) {
    if (e.getProblem() != null && e.getProblem().contains("another document")) {
      return "invalid YAML: a second document (expected: one document per file)";
    }
    String context = "";
    if (e.getContext() != null) {
      Mark at = e.getContextMark();
      Mark problem = e.getProblemMark();
      boolean elsewhere =
          at != null
              && problem != null
              && (at.getLine() != problem.getLine() || at.getColumn() != problem.getColumn());
      context =
          " ("
              + e.getContext()
              + (elsewhere ? " at " + (at.getLine() + 1) + ":" + (at.getColumn() + 1) : "")
              + ")";
    }
    return "invalid YAML: " + e.getProblem() + context;
  }

  /** 1-based line and column of a code point index. */
  private static int[] lineAndColumn(String text, int codePointIndex) {
    int line = 1;
    int column = 1;
    int i = 0;
    for (int n = 0; n < codePointIndex && i < text.length(); n++) {
      int c = text.codePointAt(i);
      i += Character.charCount(c);
      if (c == '\n') {
        line++;
        column = 1;
      } else {
        column++;
      }
    }
    return new int[] {line, column};
  }

  private void checkTags(Node node, Set<Node> seen) {
    if (!seen.add(node)) {
      return;
    }
    if (!PLAIN_TAGS.contains(node.getTag())) {
      errors.at(node, "unsupported tag " + node.getTag() + " (expected: plain YAML values)");
    }
    if (node instanceof SequenceNode sequence) {
      for (Node item : sequence.getValue()) {
        checkTags(item, seen);
      }
    } else if (node instanceof MappingNode mapping) {
      for (NodeTuple tuple : mapping.getValue()) {
        checkTags(tuple.getKeyNode(), seen);
        checkTags(tuple.getValueNode(), seen);
      }
    }
  }

  // ---- values ----

  /**
   * A timeout: a duration of {@code min}..24 h, {@code defaultValue} when the node is absent,
   * {@code null} (reported) when it is not one.
   */
  public Duration duration(Node node, String path, Duration defaultValue, Duration min) {
    return duration(node, path, defaultValue, min, Quantities.MAX_TIMEOUT);
  }

  /**
   * A duration of {@code min..max}, {@code defaultValue} when the node is absent, {@code null}
   * (reported) when it is not one.
   */
  public Duration duration(
      Node node, String path, Duration defaultValue, Duration min, Duration max) {
    if (node == null) {
      return defaultValue;
    }
    String text = scalarText(node);
    try {
      return Quantities.parseDuration(text == null ? "" : text, min, max);
    } catch (IllegalArgumentException e) {
      errors.at(node, path + ": " + found(node) + " (" + e.getMessage() + ")");
      return null;
    }
  }

  /**
   * A size of {@code min..max} bytes, {@code defaultValue} when absent, {@code null} (reported)
   * when invalid.
   */
  public Long size(Node node, String path, long defaultValue, long min, long max) {
    if (node == null) {
      return defaultValue;
    }
    String text = scalarText(node);
    try {
      return Quantities.parseSize(text == null ? "" : text, min, max);
    } catch (IllegalArgumentException e) {
      errors.at(node, path + ": " + found(node) + " (" + e.getMessage() + ")");
      return null;
    }
  }

  /**
   * A plain decimal integer of {@code min..max} (no sign, no {@code 0x}, no {@code _}), {@code
   * defaultValue} when absent, {@code null} (reported) when invalid.
   */
  public Long integer(Node node, String path, long defaultValue, long min, long max) {
    if (node == null) {
      return defaultValue;
    }
    String text = scalarText(node);
    long n = text == null || !INTEGER.matcher(text).matches() ? -1 : Long.parseLong(text);
    if (n < min || n > max) {
      errors.at(node, path + ": " + found(node) + " (expected: integer " + min + ".." + max + ")");
      return null;
    }
    return n;
  }

  /**
   * A share: a plain decimal more than 0 and at most 1 ({@code 1.0}, {@code 0.25}), {@code
   * defaultValue} when absent, {@code null} (reported) when invalid.
   */
  public Double share(Node node, String path, double defaultValue) {
    if (node == null) {
      return defaultValue;
    }
    String text = scalarText(node);
    double v = text == null || !DECIMAL.matcher(text).matches() ? -1 : Double.parseDouble(text);
    if (!(v > 0 && v <= 1)) {
      errors.at(node, path + ": " + found(node) + " (expected: decimal more than 0, at most 1.0)");
      return null;
    }
    return v;
  }

  /**
   * {@code true} or {@code false} only: YAML 1.1's yes/no/on/off are rejected as too easy to
   * misread.
   */
  public Boolean bool(Node node, String path, boolean defaultValue) {
    if (node == null) {
      return defaultValue;
    }
    String text = Tag.BOOL.equals(node.getTag()) ? scalarText(node) : null;
    if (text != null && (text.equalsIgnoreCase("true") || text.equalsIgnoreCase("false"))) {
      return text.equalsIgnoreCase("true");
    }
    errors.at(node, path + ": " + found(node) + " (expected: true or false)");
    return null;
  }

  /**
   * The index of the value in {@code names}, {@code defaultIndex} when absent, -1 (reported) when
   * invalid.
   */
  public int oneOf(Node node, String path, List<String> names, int defaultIndex) {
    if (node == null) {
      return defaultIndex;
    }
    // A node that is not a scalar (a list or mapping where a name belongs) has no text: not a name.
    String text = scalarText(node);
    int index = text == null ? -1 : names.indexOf(text);
    if (index < 0) {
      errors.at(
          node, path + ": " + found(node) + " (expected one of: " + String.join(", ", names) + ")");
    }
    return index;
  }

  /**
   * The value {@code choices} gives the scalar's text, {@code defaultValue} when absent, or {@code
   * null} (reported, naming the choices in the map's order) when it names none.
   */
  public <T> T oneOf(Node node, String path, Map<String, T> choices, T defaultValue) {
    List<String> names = List.copyOf(choices.keySet());
    int index = oneOf(node, path, names, -1);
    return index < 0 ? (node == null ? defaultValue : null) : choices.get(names.get(index));
  }

  /** Named choices in the order error messages list them. */
  @SafeVarargs
  public static <T> Map<String, T> choices(Map.Entry<String, T>... choices) {
    Map<String, T> map = new LinkedHashMap<>();
    for (Map.Entry<String, T> c : choices) {
      map.put(c.getKey(), c.getValue());
    }
    return Collections.unmodifiableMap(map);
  }

  /** The text of a scalar, {@code null} when absent or (reported) when not a non-null scalar. */
  public String string(Node node, String path, String expected) {
    if (node == null) {
      return null;
    }
    String text = scalarText(node);
    if (text == null) {
      errors.at(node, path + ": " + found(node) + " (expected: " + expected + ")");
    }
    return text;
  }

  /**
   * The items of a sequence, or {@code null} (reported) when the node is something else.
   *
   * @param itemName when not {@code null}, the sequence must not be empty, and this names what is
   *     missing
   */
  public List<Node> list(Node node, String path, String expected, String itemName) {
    if (node == null) {
      return null;
    }
    if (!(node instanceof SequenceNode sequence)) {
      errors.at(node, path + ": " + found(node) + " (expected: " + expected + ")");
      return null;
    }
    List<Node> items = sequence.getValue();
    if (itemName != null && items.isEmpty()) {
      errors.at(node, path + ": [] (expected: at least one " + itemName + ")");
      return null;
    }
    return items;
  }

  /**
   * The blocks of a list in file order with the index of each, or {@code null} when any is invalid.
   */
  public Map<Cidr, Integer> cidrs(Node node, String path) {
    if (node == null || isNull(node)) {
      return new LinkedHashMap<>();
    }
    List<Node> items =
        list(node, path, "list of address blocks like 10.0.0.0/8 or 2001:db8::/32", null);
    if (items == null) {
      return null;
    }
    int before = errors.size();
    Map<Cidr, Integer> result = new LinkedHashMap<>();
    for (int i = 0; i < items.size(); i++) {
      String itemPath = path + "[" + i + "]";
      String text =
          string(items.get(i), itemPath, "address block like 10.0.0.0/8 or 2001:db8::/32");
      if (text == null) {
        continue;
      }
      Cidr block;
      try {
        block = Cidr.parse(text);
      } catch (IllegalArgumentException e) {
        errors.at(
            items.get(i), itemPath + ": " + found(items.get(i)) + " (" + e.getMessage() + ")");
        continue;
      }
      Integer previous = result.putIfAbsent(block, i);
      if (previous != null) {
        errors.at(
            items.get(i),
            itemPath + ": " + block + " (already listed as " + path + "[" + previous + "])");
      }
    }
    return errors.size() > before ? null : result;
  }

  /**
   * The node as a mapping with the given keys, or {@code null} (reported) when it is something
   * else.
   *
   * @param keys the valid keys in documented order, or {@code null} for any key
   */
  public YamlMapping mapping(Node node, String path, String expected, List<String> keys) {
    if (!(node instanceof MappingNode mapping)) {
      errors.at(
          node,
          (path.isEmpty() ? documentName : path)
              + ": "
              + found(node)
              + " (expected: "
              + expected
              + ")");
      return null;
    }
    return new YamlMapping(mapping, path, keys, errors);
  }

  /** The text of a non-null scalar, else {@code null}. */
  public static String scalarText(Node node) {
    return node instanceof ScalarNode scalar && !isNull(node) ? scalar.getValue() : null;
  }

  public static boolean isNull(Node node) {
    return node instanceof ScalarNode && Tag.NULL.equals(node.getTag());
  }

  /** {@code off} or {@code false}: how an optional block is switched off explicitly. */
  public static boolean isOff(Node node) {
    String text = Tag.BOOL.equals(node.getTag()) ? scalarText(node) : null;
    return text != null && (text.equalsIgnoreCase("off") || text.equalsIgnoreCase("false"));
  }

  /**
   * What was found, for "path: found (expected: ...)": the scalar itself, or the kind of
   * collection.
   */
  public static String found(Node node) {
    if (node instanceof SequenceNode sequence) {
      return sequence.getValue().isEmpty() ? "[]" : "a list";
    }
    if (node instanceof MappingNode mapping) {
      return mapping.getValue().isEmpty() ? "{}" : "a mapping";
    }
    String text = ((ScalarNode) node).getValue();
    if (text.isEmpty()) {
      return isNull(node) ? "empty value" : "''";
    }
    text =
        text.replace("\\", "\\\\").replace("\n", "\\n").replace("\r", "\\r").replace("\t", "\\t");
    return text.length() > 60 ? text.substring(0, 57) + "..." : text;
  }
}
