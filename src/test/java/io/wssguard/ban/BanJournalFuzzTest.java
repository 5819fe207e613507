package io.wssguard.ban;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.wssguard.net.Cidr;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Coverage-guided fuzzing of the ban journal's reader (docs/FUZZING.md): any file content replays
 * to a ban list or to an {@link IOException} naming {@code file:line}, never another exception or a
 * hang. Corpus: src/test/resources/io/wssguard/ban/BanJournalFuzzTestInputs.
 */
class BanJournalFuzzTest {
  @TempDir static Path dir;

  @FuzzTest(maxDuration = "2m")
  @Timeout(30)
  void replaysBansOrNamesTheBadLine_forAnyFileContent(byte[] input) throws IOException {
    Path file = dir.resolve("bans.journal");
    Files.write(file, input);
    // A damaged line is skipped and named (file:line: why); the valid ones are kept.
    BanJournal.Replay replay = BanJournal.replay(file);
    String where = Pattern.quote(file.toString());
    for (String damage : replay.damage()) {
      assertTrue(damage.matches("(?s)" + where + ":[1-9][0-9]*: .+"), damage);
    }
    for (Map.Entry<Cidr, Ban> entry : replay.bans().entrySet()) {
      assertEquals(entry.getKey(), entry.getValue().target());
    }
  }
}
