package io.wssguard.handshake;

import java.util.ArrayList;
import java.util.List;

/**
 * Comma-separated token lists in HTTP headers ({@code Connection: keep-alive, Upgrade}; RFC 9110
 * section 5.6.1), as both the client's upgrade request and the backend's 101 carry them, and the
 * token rule itself (RFC 7230 section 3.2.6). Tokens compare case-insensitively.
 */
public final class HeaderTokens {
  private HeaderTokens() {}

  /** Whether the comma-separated {@code header} lists {@code token} (null header: no). */
  public static boolean contains(String header, String token) {
    if (header == null) {
      return false;
    }
    for (String part : header.split(",", -1)) {
      if (part.trim().equalsIgnoreCase(token)) {
        return true;
      }
    }
    return false;
  }

  /**
   * The elements of a comma-separated list, trimmed, in order; empty elements are skipped, as the
   * list rule allows them (RFC 9110 section 5.6.1.2).
   */
  public static List<String> elements(String header) {
    List<String> elements = new ArrayList<>();
    for (String part : header.split(",", -1)) {
      String element = part.trim();
      if (!element.isEmpty()) {
        elements.add(element);
      }
    }
    return elements;
  }

  /**
   * Whether {@code s} is a token: one or more of the visible ASCII characters other than the
   * delimiters {@code "(),/:;<=>?@[\]{}}.
   */
  public static boolean isToken(String s) {
    if (s.isEmpty()) {
      return false;
    }
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c <= 0x20 || c >= 0x7F || "\"(),/:;<=>?@[\\]{}".indexOf(c) >= 0) {
        return false;
      }
    }
    return true;
  }
}
