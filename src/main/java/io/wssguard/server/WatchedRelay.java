package io.wssguard.server;

import io.wssguard.anomaly.WatchedConnection;
import io.wssguard.relay.Relay;

/** A relay as the live baselines and anomaly rules see it: its message counts, and its close. */
record WatchedRelay(Relay relay) implements WatchedConnection {
  @Override
  public long messagesFromClient() {
    return relay.messagesFromClient();
  }

  @Override
  public long messagesFromBackend() {
    return relay.messagesFromBackend();
  }

  @Override
  public void close(int code, String reason) {
    relay.close(code, reason);
  }
}
