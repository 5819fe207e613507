package io.wssguard.limit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.wssguard.net.Cidr;
import java.net.InetAddress;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The entries of {@code X-Forwarded-For} a trusted proxy may write, and the client they name: bare
 * and bracketed addresses, with or without the port some load balancers append.
 */
class ForwardedForTest {
  private static final InetAddress PROXY = Cidr.address("127.0.0.20");
  private static final List<Cidr> TRUSTED = List.of(new Cidr(PROXY, 32));

  private static InetAddress clientBehindTrustedProxy(String xff) {
    return HandshakeAdmission.clientAddress(
        new HandshakeAdmission.Request() {
          @Override
          public InetAddress peer() {
            return PROXY;
          }

          @Override
          public List<String> forwardedFor() {
            return List.of(xff);
          }

          @Override
          public int headerBlockBytes() {
            return 0;
          }

          @Override
          public boolean hasHeader(String name) {
            return false;
          }

          @Override
          public List<String> origins() {
            return List.of();
          }
        },
        TRUSTED);
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "192.0.2.7 | 192.0.2.7",
        "192.0.2.7:4711 | 192.0.2.7",
        "192.0.2.7:65535 | 192.0.2.7",
        "2001:db8::7 | 2001:db8::7",
        "[2001:db8::7] | 2001:db8::7",
        "[2001:db8::7]:4711 | 2001:db8::7",
        "[::1]:1 | ::1",
        "198.51.100.1, 192.0.2.7:4711 | 192.0.2.7",
      })
  void namesTheClient_withOrWithoutAPort(String xff, String client) {
    assertEquals(Cidr.address(client), clientBehindTrustedProxy(xff), xff);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "192.0.2.7:",
        "192.0.2.7:0",
        "192.0.2.7:065",
        "192.0.2.7:65536",
        "192.0.2.7:+80",
        "192.0.2.7:http",
        "[2001:db8::7]:",
        "[2001:db8::7]4711",
        "[2001:db8::7",
        "[]:4711",
        "[2001:db8::7]:99999",
        "example.com:443",
      })
  void isNotAnAddress_soTheWalkStopsAtTheTrustedProxy(String hop) {
    assertNull(HandshakeAdmission.literal(hop), hop);
    assertEquals(PROXY, clientBehindTrustedProxy(hop), hop);
  }
}
