package io.wssguard.handshake;

/**
 * Comma-separated token lists in HTTP headers ({@code Connection: keep-alive, Upgrade}; RFC 9110
 * section 5.6.1), as both the client's upgrade request and the backend's 101 carry them. Tokens
 * compare case-insensitively.
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
}
