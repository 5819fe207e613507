package io.wssguard.server;

import io.undertow.server.HttpServerExchange;
import io.undertow.util.HeaderValues;
import io.undertow.util.Headers;
import io.undertow.util.HttpString;
import io.wssguard.handshake.HandshakeGate;
import io.wssguard.handshake.Rejection;
import io.wssguard.limit.CompiledPolicy;
import io.wssguard.limit.Enforcer;
import io.wssguard.limit.HandshakeAdmission;
import io.wssguard.limit.HandshakeAdmission.Admitted;
import io.wssguard.limit.HandshakeAdmission.Screened;
import io.wssguard.limit.SourceTable;
import io.wssguard.net.Cidr;
import java.net.InetAddress;
import java.util.List;

/**
 * The route's policy applied to a live handshake: {@link HandshakeAdmission} (which {@code policy
 * replay} runs on recorded requests) on the facts of an Undertow exchange, its refusals answered
 * with {@link Rejection}.
 */
final class PolicyAdmission {
  private static final HttpString ORIGIN = new HttpString("Origin");

  private final HandshakeAdmission admission;

  PolicyAdmission(SourceTable sources, Enforcer enforcer) {
    this.admission = new HandshakeAdmission(sources, enforcer);
  }

  /** See {@link HandshakeAdmission#screen}; null after the refusal was sent. */
  Screened screen(HttpServerExchange exchange, CompiledPolicy p) {
    return admission.screen(new ExchangeRequest(exchange), p, route(exchange), answer(exchange));
  }

  /** See {@link HandshakeAdmission#refusedByGate}. */
  void refusedByGate(Screened screened, CompiledPolicy p, String reason) {
    admission.refusedByGate(screened, p, reason);
  }

  /** See {@link HandshakeAdmission#admit}; null after the refusal was sent. */
  Admitted admit(
      HttpServerExchange exchange,
      CompiledPolicy p,
      Screened screened,
      String path,
      List<String> offered) {
    return admission.admit(
        new ExchangeRequest(exchange),
        p,
        screened,
        route(exchange),
        path,
        offered,
        answer(exchange));
  }

  /** A connection admitted by {@link #admit} has ended. */
  void release(Admitted admitted) {
    admission.release(admitted);
  }

  static boolean matches(List<Cidr> blocks, InetAddress address) {
    return HandshakeAdmission.matches(blocks, address);
  }

  private static String route(HttpServerExchange exchange) {
    return exchange.getAttachment(UpgradeProxy.ROUTE_LABEL);
  }

  private static HandshakeAdmission.Refusal answer(HttpServerExchange exchange) {
    return (status, body) -> Rejection.send(exchange, status, body);
  }

  /** The facts of a live request, read from the exchange when the policy asks. */
  private record ExchangeRequest(HttpServerExchange exchange)
      implements HandshakeAdmission.Request {
    @Override
    public InetAddress peer() {
      return exchange.getSourceAddress().getAddress();
    }

    @Override
    public List<String> forwardedFor() {
      HeaderValues xff = exchange.getRequestHeaders().get(Headers.X_FORWARDED_FOR);
      return xff == null ? List.of() : xff;
    }

    @Override
    public int headerBlockBytes() {
      return HandshakeGate.headerBlockBytes(exchange);
    }

    @Override
    public boolean hasHeader(String name) {
      return exchange.getRequestHeaders().contains(name);
    }

    @Override
    public List<String> origins() {
      HeaderValues origin = exchange.getRequestHeaders().get(ORIGIN);
      return origin == null ? List.of() : origin;
    }
  }
}
