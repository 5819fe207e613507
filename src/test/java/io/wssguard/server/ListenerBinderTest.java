package io.wssguard.server;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.wssguard.firewall.StaticRules;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class ListenerBinderTest {
  @Test
  void asksListenForAtLeastTheShippedSomaxconn_soTheSysctlTakesEffect() {
    Matcher m =
        Pattern.compile("(?m)^net\\.core\\.somaxconn = (\\d+)$").matcher(StaticRules.sysctl());
    assertTrue(m.find(), StaticRules.sysctl());
    int shipped = Integer.parseInt(m.group(1));
    assertTrue(
        ListenerBinder.BACKLOG >= shipped,
        "listen backlog " + ListenerBinder.BACKLOG + " caps the shipped somaxconn " + shipped);
  }
}
