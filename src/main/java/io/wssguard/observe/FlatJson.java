package io.wssguard.observe;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Reads the one shape the admin API accepts: a JSON object whose values are all strings ({@code
 * {"target":"203.0.113.7/32","for":"15m"}}). Anything else is refused with a message saying where.
 */
public final class FlatJson {
  private final String s;
  private int i;

  private FlatJson(String s) {
    this.s = s;
  }

  public static Map<String, String> parse(String text) {
    FlatJson p = new FlatJson(text);
    Map<String, String> result = new LinkedHashMap<>();
    p.expect('{');
    if (p.peek() == '}') {
      p.i++;
    } else {
      while (true) {
        String key = p.string();
        p.expect(':');
        if (result.put(key, p.string()) != null) {
          throw new IllegalArgumentException("key '" + key + "' repeated");
        }
        char c = p.next();
        if (c == '}') {
          break;
        }
        if (c != ',') {
          throw p.error("',' or '}'");
        }
      }
    }
    p.skipSpace();
    if (p.i != p.s.length()) {
      throw p.error("end of input");
    }
    return result;
  }

  private String string() {
    expect('"');
    StringBuilder sb = new StringBuilder();
    while (i < s.length()) {
      char c = s.charAt(i++);
      if (c == '"') {
        return sb.toString();
      }
      if (c == '\\') {
        if (i >= s.length()) {
          break;
        }
        char e = s.charAt(i++);
        switch (e) {
          case '"', '\\', '/' -> sb.append(e);
          case 'n' -> sb.append('\n');
          case 't' -> sb.append('\t');
          case 'r' -> sb.append('\r');
          case 'b' -> sb.append('\b');
          case 'f' -> sb.append('\f');
          case 'u' -> {
            if (i + 4 > s.length()) {
              throw error("four hex digits");
            }
            try {
              sb.append((char) Integer.parseInt(s.substring(i, i + 4), 16));
            } catch (NumberFormatException ex) {
              throw error("four hex digits");
            }
            i += 4;
          }
          default -> throw error("an escape like \\n");
        }
      } else if (c < 0x20) {
        throw error("no control characters in strings");
      } else {
        sb.append(c);
      }
    }
    throw new IllegalArgumentException("unterminated string");
  }

  private void expect(char c) {
    if (next() != c) {
      i--;
      throw error("'" + c + "'");
    }
  }

  private char next() {
    skipSpace();
    if (i >= s.length()) {
      i++;
      return '\0';
    }
    return s.charAt(i++);
  }

  private char peek() {
    skipSpace();
    return i < s.length() ? s.charAt(i) : '\0';
  }

  private void skipSpace() {
    while (i < s.length() && Character.isWhitespace(s.charAt(i))) {
      i++;
    }
  }

  private IllegalArgumentException error(String expected) {
    return new IllegalArgumentException(
        "at offset "
            + Math.min(i, s.length())
            + ": expected "
            + expected
            + " (the body must be a JSON object of strings)");
  }
}
