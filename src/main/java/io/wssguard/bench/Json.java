package io.wssguard.bench;

import io.wssguard.observe.JsonText;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Writes maps, lists, strings, numbers, booleans and nulls as indented JSON (RFC 8259); NaN becomes
 * null.
 */
final class Json {
  private Json() {}

  static String write(Object value) {
    StringBuilder sb = new StringBuilder();
    write(sb, value, "");
    return sb.append('\n').toString();
  }

  private static void write(StringBuilder sb, Object v, String indent) {
    if (v == null) {
      sb.append("null");
    } else if (v instanceof String s) {
      JsonText.quote(sb, s);
    } else if (v instanceof Boolean || v instanceof Integer || v instanceof Long) {
      sb.append(v);
    } else if (v instanceof Double d) {
      if (d.isNaN() || d.isInfinite()) {
        sb.append("null");
      } else if (d == Math.rint(d) && Math.abs(d) < 1e15) {
        sb.append((long) (double) d);
      } else {
        sb.append(String.format(Locale.ROOT, "%s", d));
      }
    } else if (v instanceof Map<?, ?> m) {
      if (m.isEmpty()) {
        sb.append("{}");
        return;
      }
      sb.append("{\n");
      String inner = indent + "  ";
      int i = 0;
      for (Map.Entry<?, ?> e : m.entrySet()) {
        sb.append(inner);
        JsonText.quote(sb, e.getKey().toString());
        sb.append(": ");
        write(sb, e.getValue(), inner);
        sb.append(++i < m.size() ? ",\n" : "\n");
      }
      sb.append(indent).append('}');
    } else if (v instanceof List<?> l && !l.isEmpty() && l.get(0) instanceof Map) {
      sb.append("[\n");
      String inner = indent + "  ";
      for (int i = 0; i < l.size(); i++) {
        sb.append(inner);
        write(sb, l.get(i), inner);
        sb.append(i + 1 < l.size() ? ",\n" : "\n");
      }
      sb.append(indent).append(']');
    } else if (v instanceof List<?> l) {
      sb.append('[');
      for (int i = 0; i < l.size(); i++) {
        if (i > 0) {
          sb.append(", ");
        }
        write(sb, l.get(i), indent);
      }
      sb.append(']');
    } else {
      throw new IllegalArgumentException("not JSON: " + v.getClass());
    }
  }
}
