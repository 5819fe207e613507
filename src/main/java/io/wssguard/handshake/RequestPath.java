package io.wssguard.handshake;

import java.util.ArrayList;
import java.util.List;

/**
 * The path of a handshake, decided once from the request target exactly as the client sent it
 * (never from a server's decoded view of it), so that route matching, a policy's {@code
 * handshake.paths} rules and the request line sent to the backend all see one string.
 *
 * <p>A path is read in its RFC 3986 section 6.2.2 form: percent-encoded unreserved characters
 * ({@code A-Z a-z 0-9 - . _ ~}) are decoded and every other percent-encoding keeps its octet with
 * upper-case hex, so {@code /%61dmin} and {@code /admin} are one path. Then:
 *
 * <ul>
 *   <li>never acceptable ({@link #path()} is null): a target that is not a path (absolute-form,
 *       {@code *}), a malformed percent-encoding, an encoded {@code /} or {@code \} ({@code %2F},
 *       {@code %5C}: servers disagree on whether they separate segments), an encoded NUL, a raw
 *       {@code \} or a character outside printable ASCII;
 *   <li>irregular ({@link #irregularity()} says why; {@link #path()} is its normalised form):
 *       dot-segments, empty segments ({@code //}) and {@code ;} parameters, which backends read in
 *       different ways ({@code /x/../admin} is {@code /admin} to most, {@code /x/..;/admin} to a
 *       servlet container). Normalising strips the parameters, drops empty segments and applies
 *       remove_dot_segments (section 5.2.4); a route either refuses such a path or takes the
 *       normalised one, never the raw one;
 *   <li>regular: the path as read.
 * </ul>
 *
 * <p>The query is not part of it: it is forwarded as sent.
 */
public record RequestPath(String path, String irregularity) {

  /** Reads the raw path of a request target (without its query). */
  public static RequestPath of(String rawTarget) {
    if (rawTarget.isEmpty() || rawTarget.charAt(0) != '/') {
      return refused("the request target must be a path starting with / (origin-form)");
    }
    StringBuilder read = new StringBuilder(rawTarget.length());
    for (int i = 0; i < rawTarget.length(); i++) {
      char c = rawTarget.charAt(i);
      if (c == '%') {
        int octet = i + 2 < rawTarget.length() ? hexOctet(rawTarget, i + 1) : -1;
        if (octet < 0) {
          return refused("malformed percent-encoding in the path");
        } else if (octet == '/' || octet == '\\') {
          return refused(
              "encoded '" + (char) octet + "' (" + rawTarget.substring(i, i + 3) + ") in the path");
        } else if (octet == 0) {
          return refused("encoded NUL (%00) in the path");
        } else if (isUnreserved(octet)) {
          read.append((char) octet);
        } else {
          read.append('%').append(HEX[octet >> 4]).append(HEX[octet & 0xF]);
        }
        i += 2;
      } else if (c == '\\') {
        return refused("'\\' in the path");
      } else if (c < 0x21 || c > 0x7E) {
        return refused("character 0x" + Integer.toHexString(c) + " in the path");
      } else {
        read.append(c);
      }
    }
    String path = read.toString();
    String irregularity = irregularity(path);
    return irregularity == null
        ? new RequestPath(path, null)
        : new RequestPath(normalised(path), irregularity);
  }

  /** Whether the path can be used at all (possibly only in its normalised form). */
  public boolean acceptable() {
    return path != null;
  }

  /** Whether the path as sent is already the one used. */
  public boolean regular() {
    return irregularity == null;
  }

  private static RequestPath refused(String why) {
    return new RequestPath(null, why);
  }

  /** The first irregularity from the left, or null. */
  private static String irregularity(String path) {
    int start = 1;
    while (start <= path.length()) {
      int end = path.indexOf('/', start);
      boolean last = end < 0;
      if (last) {
        end = path.length();
      }
      String segment = path.substring(start, end);
      if (segment.indexOf(';') >= 0) {
        return "';' parameter in the path";
      } else if (segment.equals(".") || segment.equals("..")) {
        return "dot-segment '" + segment + "' in the path";
      } else if (segment.isEmpty() && !last) {
        return "empty segment ('//') in the path";
      }
      start = end + 1;
    }
    return null;
  }

  /**
   * Parameters stripped from every segment (so {@code ..;x} is the dot-segment a servlet container
   * sees), empty segments dropped, then RFC 3986 remove_dot_segments; a trailing slash is kept, and
   * a final dot-segment leaves one ({@code /chat/..} is {@code /}).
   */
  private static String normalised(String path) {
    List<String> out = new ArrayList<>();
    boolean trailingSlash = false;
    for (String raw : path.substring(1).split("/", -1)) {
      int semicolon = raw.indexOf(';');
      String segment = semicolon < 0 ? raw : raw.substring(0, semicolon);
      trailingSlash = segment.isEmpty() || segment.equals(".") || segment.equals("..");
      if (segment.equals("..")) {
        if (!out.isEmpty()) {
          out.remove(out.size() - 1);
        }
      } else if (!trailingSlash) {
        out.add(segment);
      }
    }
    StringBuilder sb = new StringBuilder(path.length());
    for (String segment : out) {
      sb.append('/').append(segment);
    }
    if (trailingSlash || out.isEmpty()) {
      sb.append('/');
    }
    return sb.toString();
  }

  private static final char[] HEX = "0123456789ABCDEF".toCharArray();

  private static int hexOctet(String s, int at) {
    int high = hexDigit(s.charAt(at));
    int low = hexDigit(s.charAt(at + 1));
    return high < 0 || low < 0 ? -1 : high << 4 | low;
  }

  /** ASCII hex only ({@link Character#digit} also takes other scripts' digits). */
  private static int hexDigit(char c) {
    if (c >= '0' && c <= '9') {
      return c - '0';
    } else if (c >= 'a' && c <= 'f') {
      return c - 'a' + 10;
    } else if (c >= 'A' && c <= 'F') {
      return c - 'A' + 10;
    }
    return -1;
  }

  /** RFC 3986 section 2.3. */
  private static boolean isUnreserved(int c) {
    return (c >= 'a' && c <= 'z')
        || (c >= 'A' && c <= 'Z')
        || (c >= '0' && c <= '9')
        || c == '-'
        || c == '.'
        || c == '_'
        || c == '~';
  }
}
