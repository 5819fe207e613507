package io.wssguard.anomaly;

/**
 * What {@link AnomalyWatch} needs of one live connection: the message counts its relay keeps anyway
 * (read once per window from the watch's own thread) and a way to close it.
 */
public interface WatchedConnection {
  /** Client-to-backend messages so far; may lag the relay's own count a little. */
  long messagesFromClient();

  /** Backend-to-client messages so far; may lag the relay's own count a little. */
  long messagesFromBackend();

  /** Closes the connection: {@code code} and {@code reason} to the client. Safe from any thread. */
  void close(int code, String reason);
}
