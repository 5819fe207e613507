package io.wssguard.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.wssguard.config.RouteConfig;
import java.util.List;
import org.junit.jupiter.api.Test;

class RouteTest {
  @Test
  void matchesPathPrefix_onSegmentBoundaries() {
    assertTrue(Route.prefixMatches("/", "/anything"));
    assertTrue(Route.prefixMatches("/chat", "/chat"));
    assertTrue(Route.prefixMatches("/chat", "/chat/room"));
    assertFalse(Route.prefixMatches("/chat", "/chatter"));
    assertTrue(Route.prefixMatches("/chat/", "/chat/x"));
    assertFalse(Route.prefixMatches("/chat", "/"));
  }

  @Test
  void picksFirstMatch_withHost() {
    Route byHost =
        new Route(new RouteConfig("example.com", "/", "a", false, 1, "default"), null, null, null);
    Route any = new Route(new RouteConfig(null, "/", "b", false, 1, "default"), null, null, null);
    List<Route> routes = List.of(byHost, any);
    assertEquals(byHost, Route.match(routes, "Example.COM", "/x"));
    assertEquals(any, Route.match(routes, "other.org", "/x"));
    assertNull(Route.match(List.of(byHost), "other.org", "/x"));
  }
}
