package io.wssguard.fleet;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.wssguard.config.AdminConfig;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Timeout;

/**
 * Coverage-guided fuzzing of what another node (or whoever can write to Redis) sends
 * (docs/FUZZING.md): any text gives a notice that is as narrow, as short-lived and as plain as a
 * ban by hand may be, or {@link NoticeReader.Refused} with a reason, never another exception or a
 * hang. Corpus: src/test/resources/io/wssguard/fleet/NoticeReaderFuzzTestInputs.
 */
class NoticeReaderFuzzTest {
  private static final Instant NOW = Instant.parse("2026-12-01T00:00:00Z");
  private static final NoticeReader READER = new NoticeReader(AdminConfig.WidestBan.DEFAULT);

  @FuzzTest(maxDuration = "2m")
  @Timeout(30)
  void answersNoticeOrReason_forAnyText(byte[] bytes) {
    BanNotice notice;
    try {
      notice = READER.read(new String(bytes, StandardCharsets.UTF_8), NOW);
    } catch (NoticeReader.Refused e) {
      assertNotNull(e.getMessage());
      assertFalse(e.getMessage().isBlank());
      return;
    }
    assertNotNull(notice.target());
    int prefix = notice.target().prefix();
    boolean v4 = notice.target().network().getAddress().length == 4;
    assertTrue(
        prefix
            >= (v4 ? AdminConfig.WidestBan.DEFAULT.ipv4() : AdminConfig.WidestBan.DEFAULT.ipv6()),
        "wider than a ban by hand may be: " + notice.target());
    assertTrue(notice.origin().matches("[a-z0-9-]+"), notice.origin());
    if (notice.kind() == BanNotice.Kind.BAN) {
      assertTrue(
          !notice.until().isAfter(NOW.plus(Duration.ofDays(366))), "too long: " + notice.until());
      assertTrue(
          notice.reason().length() <= NoticeReader.MAX_REASON
              && notice.reason().chars().noneMatch(Character::isISOControl),
          notice.reason());
    }
  }
}
