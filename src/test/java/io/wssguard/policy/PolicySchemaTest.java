package io.wssguard.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.wssguard.quantity.Quantities;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * {@code policies/policy.schema.json} is strict JSON, and it names exactly the keys (and, per
 * limit, the actions) that the parser accepts, so the schema editors validate with and the parser
 * cannot drift apart.
 */
class PolicySchemaTest {
  private static final Path SCHEMA = Path.of("policies/policy.schema.json");

  @Test
  void schemaIsJson_draft2020_12() throws Exception {
    Map<?, ?> schema = (Map<?, ?>) Json.parse(Files.readString(SCHEMA));
    assertEquals("https://json-schema.org/draft/2020-12/schema", schema.get("$schema"));
  }

  @Test
  void defaultPolicyNamesTheSchema() throws Exception {
    assertTrue(
        Files.readString(Path.of("policies/default.yaml"))
            .startsWith("# yaml-language-server: $schema=policy.schema.json\n"));
  }

  @Test
  void schemaKeys_matchTheParsersKeys_everywhere() throws Exception {
    Walk walk = new Walk((Map<?, ?>) Json.parse(Files.readString(SCHEMA)));
    walk.visit(walk.root, "");

    assertEquals(new TreeMap<>(PolicyParser.knownKeys()), walk.keys);
  }

  @Test
  void schemaActions_matchTheParsersActions_perLimit() throws Exception {
    Walk walk = new Walk((Map<?, ?>) Json.parse(Files.readString(SCHEMA)));
    walk.visit(walk.root, "");

    assertEquals(new TreeMap<>(PolicyParser.knownActions()), walk.actions);
  }

  /** The schema's size and duration patterns take exactly the notation {@code Quantities} reads. */
  @Test
  void schemaNotations_acceptWhatTheParserAccepts() throws Exception {
    Map<?, ?> defs = (Map<?, ?>) ((Map<?, ?>) Json.parse(Files.readString(SCHEMA))).get("$defs");
    Pattern size = Pattern.compile((String) ((Map<?, ?>) defs.get("size")).get("pattern"));
    for (String text :
        List.of("512", "1 KiB", "64KiB", "1MiB", "2 GiB", "7 B", "64KB", "1k", "1 kib", "1.5MiB")) {
      assertEquals(
          Quantities.parseSize(text) >= 0, size.matcher(text).find(), "size '" + text + "'");
    }
    Pattern duration = Pattern.compile((String) ((Map<?, ?>) defs.get("duration")).get("pattern"));
    for (String text : List.of("250ms", "30s", "10m", "1h", "7d", "2w", "5", "5 s", "1y")) {
      assertEquals(
          Quantities.parseDuration(text) != null,
          duration.matcher(text).find(),
          "duration '" + text + "'");
    }
  }

  @Test
  void jsonReader_refusesWhatJsonDoesNot() {
    for (String bad :
        new String[] {"{a: 1}", "{\"a\": 1,}", "[1, 2", "'x'", "{\"a\": 01}", "{} {}", "[tru]"}) {
      assertThrows(IllegalArgumentException.class, () -> Json.parse(bad), bad);
    }
  }

  /**
   * Collects, for each object schema, its property names (following {@code $ref}) by the YAML path
   * it describes.
   */
  private static final class Walk {
    final Map<?, ?> root;
    final Map<String, List<String>> keys = new TreeMap<>();
    final Map<String, List<String>> actions = new TreeMap<>();

    Walk(Map<?, ?> root) {
      this.root = root;
    }

    void visit(Map<?, ?> schema, String path) {
      Map<String, Map<?, ?>> properties = properties(schema);
      if (!properties.isEmpty()) {
        keys.put(path, new ArrayList<>(properties.keySet()));
        Map<?, ?> action = properties.get("action");
        if (action != null && action.get("enum") != null) {
          actions.put(path, ((List<?>) action.get("enum")).stream().map(Object::toString).toList());
        }
        for (Map.Entry<String, Map<?, ?>> p : properties.entrySet()) {
          visit(p.getValue(), path.isEmpty() ? p.getKey() : path + "." + p.getKey());
        }
      }
      Object additional = resolve(schema).get("additionalProperties");
      if (additional instanceof Map<?, ?> each) {
        visit(each, path + ".*");
      }
      if (schema.get("items") instanceof Map<?, ?> item) {
        visit(item, path + ".*");
      }
    }

    /**
     * Own properties over those of the {@code $ref}ed schema (the referring site may narrow, e.g.
     * an action enum).
     */
    Map<String, Map<?, ?>> properties(Map<?, ?> schema) {
      Map<String, Map<?, ?>> merged = new LinkedHashMap<>();
      if (schema.get("$ref") instanceof String ref) {
        merged.putAll(properties(definition(ref)));
      }
      if (schema.get("properties") instanceof Map<?, ?> own) {
        for (Map.Entry<?, ?> e : own.entrySet()) {
          Map<?, ?> value = (Map<?, ?>) e.getValue();
          Map<?, ?> base = merged.get((String) e.getKey());
          if (base != null) {
            Map<Object, Object> combined = new LinkedHashMap<>(base);
            combined.putAll(value);
            value = combined;
          }
          merged.put((String) e.getKey(), value);
        }
      }
      return merged;
    }

    Map<?, ?> resolve(Map<?, ?> schema) {
      return schema.get("$ref") instanceof String ref && !schema.containsKey("additionalProperties")
          ? resolve(definition(ref))
          : schema;
    }

    Map<?, ?> definition(String ref) {
      assertTrue(ref.startsWith("#/$defs/"), ref);
      Map<?, ?> defs = (Map<?, ?>) root.get("$defs");
      Map<?, ?> def = (Map<?, ?>) defs.get(ref.substring("#/$defs/".length()));
      assertTrue(def != null, "dangling " + ref);
      return def;
    }
  }

  /** A strict RFC 8259 reader, just enough for the schema: objects keep their key order. */
  static final class Json {
    private final String text;
    private int i;

    private Json(String text) {
      this.text = text;
    }

    static Object parse(String text) {
      Json json = new Json(text);
      Object value = json.value();
      json.space();
      if (json.i != text.length()) {
        throw json.error("trailing text");
      }
      return value;
    }

    private Object value() {
      space();
      if (i >= text.length()) {
        throw error("value expected");
      }
      char c = text.charAt(i);
      if (c == '{') {
        Map<String, Object> object = new LinkedHashMap<>();
        i++;
        space();
        if (peek('}')) {
          return object;
        }
        do {
          space();
          String key = string();
          space();
          expect(':');
          if (object.put(key, value()) != null) {
            throw error("duplicate key " + key);
          }
          space();
        } while (peek(','));
        expect('}');
        return object;
      }
      if (c == '[') {
        List<Object> array = new ArrayList<>();
        i++;
        space();
        if (peek(']')) {
          return array;
        }
        do {
          array.add(value());
          space();
        } while (peek(','));
        expect(']');
        return array;
      }
      if (c == '"') {
        return string();
      }
      for (String literal : new String[] {"true", "false", "null"}) {
        if (text.startsWith(literal, i)) {
          i += literal.length();
          return literal.equals("null") ? null : Boolean.valueOf(literal);
        }
      }
      java.util.regex.Matcher m =
          Pattern.compile("-?(0|[1-9][0-9]*)(\\.[0-9]+)?([eE][+-]?[0-9]+)?")
              .matcher(text)
              .region(i, text.length());
      if (!m.lookingAt()) {
        throw error("value expected");
      }
      i = m.end();
      return Double.parseDouble(m.group());
    }

    private String string() {
      expect('"');
      StringBuilder out = new StringBuilder();
      while (i < text.length() && text.charAt(i) != '"') {
        char c = text.charAt(i++);
        if (c < 0x20) {
          throw error("control character in string");
        }
        if (c == '\\') {
          char e = text.charAt(i++);
          switch (e) {
            case '"', '\\', '/' -> out.append(e);
            case 'b' -> out.append('\b');
            case 'f' -> out.append('\f');
            case 'n' -> out.append('\n');
            case 'r' -> out.append('\r');
            case 't' -> out.append('\t');
            case 'u' -> {
              out.append((char) Integer.parseInt(text.substring(i, i + 4), 16));
              i += 4;
            }
            default -> throw error("bad escape \\" + e);
          }
        } else {
          out.append(c);
        }
      }
      expect('"');
      return out.toString();
    }

    private void space() {
      while (i < text.length() && " \t\r\n".indexOf(text.charAt(i)) >= 0) {
        i++;
      }
    }

    private boolean peek(char c) {
      if (i < text.length() && text.charAt(i) == c) {
        i++;
        return true;
      }
      return false;
    }

    private void expect(char c) {
      if (!peek(c)) {
        throw error("'" + c + "' expected");
      }
    }

    private IllegalArgumentException error(String what) {
      return new IllegalArgumentException(what + " at offset " + i);
    }
  }
}
