package io.wssguard.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * What the bench measures, side by side. Every proxied target goes through the same wssguard
 * process to the same backend; they differ only in listener and route. {@code plain} and {@code
 * policies-on} are the same setup (plain listener, policy route), measured at different moments:
 * their difference shows the run's noise.
 */
public enum Target {
  DIRECT("direct", null, null),
  PLAIN("plain", ProxyProcess.PLAIN, ProxyProcess.POLICY_ROUTE),
  TLS_BORINGSSL("tls-boringssl", ProxyProcess.TLS_BORINGSSL, ProxyProcess.POLICY_ROUTE),
  TLS_JDK("tls-jdk", ProxyProcess.TLS_JDK, ProxyProcess.POLICY_ROUTE),
  POLICIES_ON("policies-on", ProxyProcess.PLAIN, ProxyProcess.POLICY_ROUTE),
  POLICIES_OFF("policies-off", ProxyProcess.PLAIN, ProxyProcess.NO_POLICY_ROUTE);

  final String id;

  /** The wssguard listener, or null for the backend itself. */
  final String listener;

  final String path;

  Target(String id, String listener, String path) {
    this.id = id;
    this.listener = listener;
    this.path = path;
  }

  boolean proxied() {
    return listener != null;
  }

  boolean tls() {
    return this == TLS_BORINGSSL || this == TLS_JDK;
  }

  /** Parses a comma-separated list of target names, in the order given. */
  public static List<Target> parseList(String text) {
    List<Target> out = new ArrayList<>();
    for (String part : text.split(",", -1)) {
      String name = part.trim().toLowerCase(Locale.ROOT);
      if (name.isEmpty()) {
        continue;
      }
      Target found = null;
      for (Target t : values()) {
        if (t.id.equals(name)) {
          found = t;
        }
      }
      if (found == null) {
        throw new IllegalArgumentException(
            "unknown target '" + part.trim() + "' (expected some of: " + names() + ")");
      }
      if (out.contains(found)) {
        throw new IllegalArgumentException("target '" + name + "' listed twice");
      }
      out.add(found);
    }
    if (out.isEmpty()) {
      throw new IllegalArgumentException("no targets (expected some of: " + names() + ")");
    }
    return out;
  }

  static String names() {
    List<String> n = new ArrayList<>();
    for (Target t : values()) {
      n.add(t.id);
    }
    return String.join(",", n);
  }
}
