package io.wssguard.tls;

import javax.net.ssl.SSLEngine;

/**
 * Whether a server handshake resumed an earlier session (a session ticket, or the TLS 1.2 session
 * cache) instead of running in full. Only BoringSSL engines can tell; for the JDK engine the answer
 * is always no.
 */
public final class Resumption {
  private Resumption() {}

  /** Ask once the handshake has finished; one native call. */
  public static boolean resumed(SSLEngine engine) {
    return engine instanceof GatheringSslEngine g && g.resumed();
  }
}
