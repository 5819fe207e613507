package io.wssguard.config;

/** How a backend group picks the server for a new connection. */
public enum Balance {
  ROUND_ROBIN,
  LEAST_CONNECTIONS
}
