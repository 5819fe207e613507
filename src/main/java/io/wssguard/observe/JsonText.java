package io.wssguard.observe;

/**
 * A tiny JSON writer: enough for one flat event line or an admin API answer, without a JSON
 * library. Keys are written as given (callers use fixed ASCII names); string values are escaped per
 * RFC 8259 section 7.
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
  public static void quote(StringBuilder sb, String s) {
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
