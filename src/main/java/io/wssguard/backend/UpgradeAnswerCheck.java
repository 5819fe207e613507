package io.wssguard.backend;

import io.wssguard.handshake.HeaderTokens;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.List;
import java.util.Locale;

/**
 * Checks a backend's 101 against what the client asked for (RFC 6455 section 4.1, the client's
 * duties, which the proxy performs on the client's behalf before the client sees anything): the
 * accept key must match the client's key, a chosen subprotocol must be one the client offered, and
 * an extension may only be one the proxy let through.
 */
public final class UpgradeAnswerCheck {
  private static final String GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

  private UpgradeAnswerCheck() {}

  /** {@code Sec-WebSocket-Accept} for a client key (RFC 6455 section 4.2.2). */
  public static String acceptFor(String key) {
    try {
      byte[] sha1 =
          MessageDigest.getInstance("SHA-1")
              .digest((key + GUID).getBytes(StandardCharsets.US_ASCII));
      return Base64.getEncoder().encodeToString(sha1);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-1 is required of every Java runtime", e);
    }
  }

  /**
   * Returns {@code null} when the 101 is acceptable, else what is wrong with it.
   *
   * @param offeredProtocols the subprotocols the client offered, in its order
   * @param extensionsForwarded whether {@code permessage-deflate} offers were forwarded to the
   *     backend
   */
  public static String problem(
      BackendResponse r,
      String clientKey,
      List<String> offeredProtocols,
      boolean extensionsForwarded) {
    String upgrade = r.header("Upgrade");
    if (upgrade == null || !upgrade.trim().equalsIgnoreCase("websocket")) {
      return "101 without 'Upgrade: websocket'";
    }
    if (!HeaderTokens.contains(r.header("Connection"), "upgrade")) {
      return "101 without 'Connection: upgrade'";
    }
    List<String> accepts = r.headers("Sec-WebSocket-Accept");
    if (accepts.size() != 1 || !accepts.get(0).equals(acceptFor(clientKey))) {
      return "wrong Sec-WebSocket-Accept";
    }
    List<String> protocols = r.headers("Sec-WebSocket-Protocol");
    if (protocols.size() > 1
        || (protocols.size() == 1 && !offeredProtocols.contains(protocols.get(0)))) {
      return "subprotocol not offered by the client: " + String.join(", ", protocols);
    }
    String extensions = r.header("Sec-WebSocket-Extensions");
    if (extensions != null && !extensions.isBlank()) {
      if (!extensionsForwarded) {
        return "extension the client was not allowed to offer: " + extensions;
      }
      int negotiated = 0;
      for (String ext : extensions.split(",", -1)) {
        String name = ext.split(";", 2)[0].trim().toLowerCase(Locale.ROOT);
        if (name.isEmpty()) {
          continue; // an empty list element (RFC 9110 section 5.6.1)
        }
        if (!name.equals("permessage-deflate")) {
          return "unsupported extension: " + name;
        }
        negotiated++;
      }
      if (negotiated > 1) {
        return "more than one extension negotiated: " + extensions;
      }
    }
    return null;
  }
}
