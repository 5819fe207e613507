package io.wssguard.observe;

import java.util.List;
import java.util.Map;

/**
 * The one JSON writer of wssguard: event lines, admin API answers and the bench report. Keys are
 * written as given (callers use fixed ASCII names); string values are escaped per RFC 8259 section
 * 7. (Reading JSON is jackson-core's job, in the admin API.)
 */
public final class JsonText {
  private final StringBuilder sb = new StringBuilder(256);

  /** Whether the next member or element needs a comma first. */
  private boolean comma;

  public JsonText beginObject() {
    separate();
    sb.append('{');
    comma = false;
    return this;
  }

  public JsonText endObject() {
    sb.append('}');
    comma = true;
    return this;
  }

  public JsonText beginArray() {
    separate();
    sb.append('[');
    comma = false;
    return this;
  }

  public JsonText endArray() {
    sb.append(']');
    comma = true;
    return this;
  }

  /** Starts a member: an object or array value follows. */
  public JsonText key(String key) {
    separate();
    string(key);
    sb.append(':');
    comma = false;
    return this;
  }

  /** A string member; a null value is left out. */
  public JsonText field(String key, String value) {
    if (value != null) {
      key(key);
      string(value);
      comma = true;
    }
    return this;
  }

  public JsonText field(String key, long value) {
    key(key);
    sb.append(value);
    comma = true;
    return this;
  }

  public JsonText field(String key, double value) {
    key(key);
    sb.append(Double.isFinite(value) ? Double.toString(value) : "null");
    comma = true;
    return this;
  }

  public JsonText field(String key, boolean value) {
    key(key);
    sb.append(value);
    comma = true;
    return this;
  }

  /** A string element of an array. */
  public JsonText value(String value) {
    separate();
    string(value);
    comma = true;
    return this;
  }

  /**
   * Any value made of maps (string keys, in their order), lists, strings, numbers, booleans and
   * nulls, as an array element or after {@link #key}. A non-finite number is written as null, an
   * integral double below 10^15 without its {@code .0}.
   *
   * @throws IllegalArgumentException for any other type
   */
  public JsonText value(Object v) {
    if (v instanceof Map<?, ?> m) {
      beginObject();
      for (Map.Entry<?, ?> e : m.entrySet()) {
        key(e.getKey().toString()).value(e.getValue());
      }
      return endObject();
    }
    if (v instanceof List<?> l) {
      beginArray();
      l.forEach(this::value);
      return endArray();
    }
    separate();
    if (v == null) {
      sb.append("null");
    } else if (v instanceof String s) {
      string(s);
    } else if (v instanceof Boolean || v instanceof Integer || v instanceof Long) {
      sb.append(v);
    } else if (v instanceof Double d) {
      if (!Double.isFinite(d)) {
        sb.append("null");
      } else if (d == Math.rint(d) && Math.abs(d) < 1e15) {
        sb.append((long) (double) d);
      } else {
        sb.append(d.doubleValue());
      }
    } else {
      throw new IllegalArgumentException("not JSON: " + v.getClass());
    }
    comma = true;
    return this;
  }

  /**
   * An array element or value that is JSON text already (a line of the security log), written as it
   * is; the caller vouches that it was made by this class.
   */
  public JsonText json(String text) {
    separate();
    sb.append(text);
    comma = true;
    return this;
  }

  private void separate() {
    if (comma) {
      sb.append(',');
    }
  }

  private void string(String s) {
    quote(sb, s);
  }

  /**
   * Appends {@code s} as a JSON string (RFC 8259 section 7; U+2028/9 escaped too, for JavaScript
   * readers).
   */
  private static void quote(StringBuilder sb, String s) {
    sb.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> sb.append("\\\"");
        case '\\' -> sb.append("\\\\");
        case '\n' -> sb.append("\\n");
        case '\r' -> sb.append("\\r");
        case '\t' -> sb.append("\\t");
        default -> {
          if (c < 0x20 || c == 0x2028 || c == 0x2029) {
            sb.append(String.format(java.util.Locale.ROOT, "\\u%04x", (int) c));
          } else {
            sb.append(c);
          }
        }
      }
    }
    sb.append('"');
  }

  @Override
  public String toString() {
    return sb.toString();
  }
}
