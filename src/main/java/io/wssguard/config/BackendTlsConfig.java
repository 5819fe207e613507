package io.wssguard.config;

import java.nio.file.Path;

/**
 * Verification of {@code wss://} backends.
 *
 * @param caFile PEM file of trusted CA certificates, or {@code null} for the JDK's default trust
 *     store
 * @param insecure accept any certificate and host name (logged loudly at start-up)
 */
public record BackendTlsConfig(Path caFile, boolean insecure) {
  public static final BackendTlsConfig DEFAULT = new BackendTlsConfig(null, false);
}
