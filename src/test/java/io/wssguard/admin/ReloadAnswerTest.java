package io.wssguard.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.wssguard.observe.ReloadOutcome;
import java.io.IOException;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The answer to {@code POST /reload} as the admin listener writes it and the CLI reads it. */
class ReloadAnswerTest {
  private static final Instant AT = Instant.parse("2025-03-04T05:06:07Z");

  @Test
  void applied_is200_andReadsBack() throws IOException {
    ReloadOutcome applied = new ReloadOutcome(true, List.of(), AT);
    assertEquals(200, ReloadAnswer.status(applied));
    assertEquals(
        "{\"applied\":true,\"at\":\"2025-03-04T05:06:07Z\",\"errors\":[]}",
        ReloadAnswer.json(applied));
    assertEquals(applied, ReloadAnswer.parse(ReloadAnswer.json(applied)));
  }

  @Test
  void refused_is409_withEveryErrorAndASummary_andReadsBack() throws IOException {
    ReloadOutcome refused =
        new ReloadOutcome(
            false,
            List.of(
                "/etc/wssguard/wssguard.yaml:7:11: routes[0].backend: 'b' (expected one of: a)",
                "/etc/wssguard/certs/key.pem: private key file not found"),
            AT);
    assertEquals(409, ReloadAnswer.status(refused));
    assertEquals(
        "{\"applied\":false,\"at\":\"2025-03-04T05:06:07Z\",\"errors\":["
            + "\"/etc/wssguard/wssguard.yaml:7:11: routes[0].backend: 'b' (expected one of: a)\","
            + "\"/etc/wssguard/certs/key.pem: private key file not found\"],"
            + "\"error\":\"reload refused (2 errors), the running configuration stays\"}",
        ReloadAnswer.json(refused));
    assertEquals(refused, ReloadAnswer.parse(ReloadAnswer.json(refused)));
  }

  @Test
  void parse_refusesWhatIsNotAReloadAnswer() {
    assertEquals(
        "no 'applied' in the answer",
        assertThrows(IOException.class, () -> ReloadAnswer.parse("{\"error\":\"x\"}"))
            .getMessage());
    assertEquals(
        "applied: not a boolean",
        assertThrows(IOException.class, () -> ReloadAnswer.parse("{\"applied\":\"yes\"}"))
            .getMessage());
    assertThrows(IOException.class, () -> ReloadAnswer.parse("[]"));
    assertThrows(IOException.class, () -> ReloadAnswer.parse("{\"errors\":[1]}"));
  }
}
