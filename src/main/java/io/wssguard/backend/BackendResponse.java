package io.wssguard.backend;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The status line and headers of a backend's answer to the forwarded upgrade request (RFC 9112
 * section 4), parsed strictly: anything that is not a well-formed HTTP/1.1 response head is an
 * error, because a backend that answers garbage must not be relayed to.
 */
public final class BackendResponse {
  /** Longest response head accepted from a backend. */
  public static final int MAX_HEAD_BYTES = 8192;

  private final int status;
  private final String reason;
  private final Map<String, List<String>> headers;

  private BackendResponse(int status, String reason, Map<String, List<String>> headers) {
    this.status = status;
    this.reason = reason;
    this.headers = headers;
  }

  public int status() {
    return status;
  }

  public String reason() {
    return reason;
  }

  /** All values of a header (case-insensitive name), in order; empty if absent. */
  public List<String> headers(String name) {
    return headers.getOrDefault(name.toLowerCase(Locale.ROOT), List.of());
  }

  /**
   * The single value of a header, or {@code null}; several values are joined with ", " (RFC 9110
   * section 5.3).
   */
  public String header(String name) {
    List<String> values = headers(name);
    return values.isEmpty() ? null : String.join(", ", values);
  }

  /** Names (lower case) of all headers, in order of first appearance. */
  public Iterable<String> headerNames() {
    return headers.keySet();
  }

  /**
   * Index just past the blank line ending the head in {@code buf[0, end)}, or -1 if the head is not
   * complete yet.
   */
  static int headEnd(ByteBuffer buf, int end) {
    for (int i = 3; i < end; i++) {
      if (buf.get(i) == '\n'
          && buf.get(i - 1) == '\r'
          && buf.get(i - 2) == '\n'
          && buf.get(i - 3) == '\r') {
        return i + 1;
      }
    }
    return -1;
  }

  /** Parses the head in {@code buf[0, headEnd)}. */
  static BackendResponse parse(ByteBuffer buf, int headEnd) throws MalformedResponseException {
    byte[] bytes = new byte[headEnd];
    buf.get(0, bytes);
    String text = new String(bytes, StandardCharsets.ISO_8859_1);
    String[] lines = text.substring(0, text.length() - 4).split("\r\n", -1);
    String statusLine = lines[0];
    if (!statusLine.startsWith("HTTP/1.1 ")
        || statusLine.length() < 12
        || (statusLine.length() > 12 && statusLine.charAt(12) != ' ')) {
      throw new MalformedResponseException("bad status line: " + abbreviate(statusLine));
    }
    int status;
    try {
      status = Integer.parseInt(statusLine.substring(9, 12));
    } catch (NumberFormatException e) {
      throw new MalformedResponseException("bad status line: " + abbreviate(statusLine));
    }
    if (status < 100 || status > 599) {
      throw new MalformedResponseException("bad status code: " + status);
    }
    String reason = statusLine.length() > 13 ? statusLine.substring(13) : "";
    Map<String, List<String>> headers = new LinkedHashMap<>();
    for (int i = 1; i < lines.length; i++) {
      String line = lines[i];
      int colon = line.indexOf(':');
      if (colon <= 0
          || !isToken(line, colon)
          || line.indexOf('\n') >= 0
          || line.indexOf('\r') >= 0) {
        throw new MalformedResponseException("bad header line: " + abbreviate(line));
      }
      String name = line.substring(0, colon).toLowerCase(Locale.ROOT);
      String value = line.substring(colon + 1).strip();
      headers.computeIfAbsent(name, k -> new ArrayList<>(1)).add(value);
    }
    return new BackendResponse(status, reason, headers);
  }

  private static boolean isToken(String line, int end) {
    for (int i = 0; i < end; i++) {
      char c = line.charAt(i);
      if (c <= ' ' || c >= 127 || "()<>@,;:\\\"/[]?={}".indexOf(c) >= 0) {
        return false;
      }
    }
    return true;
  }

  private static String abbreviate(String s) {
    return s.length() > 80 ? s.substring(0, 80) + "..." : s;
  }

  /** The backend's answer is not an HTTP/1.1 response head. */
  static final class MalformedResponseException extends Exception {
    MalformedResponseException(String message) {
      super(message, null, false, false);
    }
  }
}
