package io.wssguard.config;

/** The TLS implementation that terminates a listener's connections. */
public enum TlsEngine {
  /** BoringSSL through netty-tcnative: 4-5x less CPU per handshake than the JDK engine. */
  BORINGSSL,
  /** The JDK's own SunJSSE engine, for comparison or where the native library cannot load. */
  JDK
}
