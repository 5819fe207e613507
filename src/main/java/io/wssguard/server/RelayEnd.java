package io.wssguard.server;

import io.wssguard.anomaly.AnomalyWatch;
import io.wssguard.backend.BackendServer;
import io.wssguard.limit.HandshakeAdmission;
import io.wssguard.limit.SourceFleet;
import io.wssguard.relay.Relay;

/**
 * Gives back what a conversation held when its relay ends: the backend server's count, the source's
 * admission, the listener's registry entry, the anomaly watch and the fleet's budget.
 *
 * <p>Holds nothing of the HTTP exchange that opened the conversation: the relay keeps this object
 * for the conversation's whole life, and a lambda written where the exchange was in scope kept the
 * exchange (request and response headers, the HTTP connection's parser state) alive with it.
 */
final class RelayEnd implements Relay.Listener {
  private final BackendServer server;
  private final PolicyAdmission admission;
  private final HandshakeAdmission.Admitted admitted;
  private final RelayRegistry relays;
  private final AnomalyWatch anomalies;
  private final SourceFleet fleet;
  private AnomalyWatch.Watched watched;
  private Runnable overFleet;

  RelayEnd(
      BackendServer server,
      PolicyAdmission admission,
      HandshakeAdmission.Admitted admitted,
      RelayRegistry relays,
      AnomalyWatch anomalies,
      SourceFleet fleet) {
    this.server = server;
    this.admission = admission;
    this.admitted = admitted;
    this.relays = relays;
    this.anomalies = anomalies;
    this.fleet = fleet;
  }

  /** The anomaly rules watch the relay; null when there are none. */
  void watched(AnomalyWatch.Watched watched) {
    this.watched = watched;
  }

  /** The fleet counts the relay against a shared budget and calls {@code overFleet} beyond it. */
  void overFleet(Runnable overFleet) {
    this.overFleet = overFleet;
  }

  @Override
  public void relayEnded(Relay relay) {
    server.connectionClosed();
    admission.release(admitted);
    relays.remove(relay);
    if (anomalies != null) {
      anomalies.closed(watched);
    }
    if (overFleet != null) {
      fleet.ended(overFleet);
    }
  }
}
