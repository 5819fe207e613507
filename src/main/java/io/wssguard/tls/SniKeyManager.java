package io.wssguard.tls;

import java.net.Socket;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.net.ssl.ExtendedSSLSession;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SNIServerName;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.X509ExtendedKeyManager;

/**
 * Chooses a listener's certificate by SNI, for both engines.
 *
 * <p>Both SunJSSE and Netty's OpenSSL engine call {@link #chooseEngineServerAlias} during the
 * handshake, once per key type they could use, and both expose the ClientHello's server name
 * through the engine's handshake session ({@link ExtendedSSLSession#getRequestedServerNames()}).
 * Netty passes its own engine (not the delegating engine Undertow holds), and its session reads the
 * name from BoringSSL. SunJSSE asks with {@code EC}, {@code RSA} or {@code RSASSA-PSS}; Netty with
 * {@code EC}, {@code RSA}, {@code EC_EC}, {@code EC_RSA} or {@code DH_RSA}.
 *
 * <p>A name picks a group: exact names first, then a {@code *.example.com} wildcard covering
 * exactly one label, else the default group (the certificates without server names). Within the
 * group the certificate whose key type is the one asked for wins. When none is, and the group has
 * other certificates, the answer is null so the engine asks again with the type one of them has; a
 * group of one answers with its only certificate and lets the engine judge.
 */
final class SniKeyManager extends X509ExtendedKeyManager {

  /** One certificate: its alias, chain and key, and its key type ("EC" or "RSA"). */
  record Entry(String alias, List<X509Certificate> chain, PrivateKey key, String keyType) {
    Entry {
      chain = List.copyOf(chain);
    }
  }

  private final Map<String, Entry> byAlias = new HashMap<>();
  private final Map<String, List<Entry>> byName = new HashMap<>();
  private final List<Entry> defaults;

  /**
   * @param entries in configuration order
   * @param serverNames for each entry, its names (empty for a default certificate)
   */
  SniKeyManager(List<Entry> entries, List<List<String>> serverNames) {
    List<Entry> unnamed = new ArrayList<>();
    for (int i = 0; i < entries.size(); i++) {
      Entry e = entries.get(i);
      byAlias.put(e.alias(), e);
      if (serverNames.get(i).isEmpty()) {
        unnamed.add(e);
      }
      for (String name : serverNames.get(i)) {
        byName.computeIfAbsent(normalize(name), k -> new ArrayList<>()).add(e);
      }
    }
    // A listener whose certificates all carry names still needs an answer for clients without SNI.
    defaults = unnamed.isEmpty() ? List.of(entries.get(0)) : List.copyOf(unnamed);
  }

  @Override
  public String chooseEngineServerAlias(String keyType, Principal[] issuers, SSLEngine engine) {
    return choose(keyType, engine == null ? null : engine.getHandshakeSession());
  }

  @Override
  public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
    SSLSession session = socket instanceof SSLSocket s ? s.getHandshakeSession() : null;
    return choose(keyType, session);
  }

  private String choose(String keyType, SSLSession handshake) {
    List<Entry> group = groupFor(requestedHostName(handshake));
    for (Entry e : group) {
      if (e.keyType().equals(keyType)) {
        return e.alias();
      }
    }
    return group.size() == 1 ? group.get(0).alias() : null;
  }

  /** The group for a requested host name (null: no SNI). */
  List<Entry> groupFor(String hostName) {
    if (hostName == null) {
      return defaults;
    }
    String name = normalize(hostName);
    List<Entry> exact = byName.get(name);
    if (exact != null) {
      return exact;
    }
    int dot = name.indexOf('.');
    if (dot > 0) {
      List<Entry> wildcard = byName.get("*" + name.substring(dot));
      if (wildcard != null) {
        return wildcard;
      }
    }
    return defaults;
  }

  private static String requestedHostName(SSLSession handshake) {
    if (!(handshake instanceof ExtendedSSLSession extended)) {
      return null;
    }
    for (SNIServerName name : extended.getRequestedServerNames()) {
      if (name instanceof SNIHostName host) {
        return host.getAsciiName();
      }
    }
    return null;
  }

  private static String normalize(String name) {
    String lower = name.toLowerCase(Locale.ROOT);
    return lower.endsWith(".") ? lower.substring(0, lower.length() - 1) : lower;
  }

  @Override
  public String[] getServerAliases(String keyType, Principal[] issuers) {
    return byAlias.values().stream()
        .filter(e -> e.keyType().equals(keyType))
        .map(Entry::alias)
        .toArray(String[]::new);
  }

  @Override
  public X509Certificate[] getCertificateChain(String alias) {
    Entry e = byAlias.get(alias);
    return e == null ? null : e.chain().toArray(new X509Certificate[0]);
  }

  @Override
  public PrivateKey getPrivateKey(String alias) {
    Entry e = byAlias.get(alias);
    return e == null ? null : e.key();
  }

  @Override
  public String[] getClientAliases(String keyType, Principal[] issuers) {
    return null;
  }

  @Override
  public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) {
    return null;
  }

  @Override
  public String chooseEngineClientAlias(String[] keyType, Principal[] issuers, SSLEngine engine) {
    return null;
  }
}
