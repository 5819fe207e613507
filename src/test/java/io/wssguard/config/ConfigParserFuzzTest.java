package io.wssguard.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Coverage-guided fuzzing of the config parser (docs/FUZZING.md): any bytes in a real file give a
 * configuration or a {@link ConfigException} whose every error names the file and a position (only
 * an unreadable, non-UTF-8 file has none), never another exception or a hang. Corpus:
 * src/test/resources/io/wssguard/config/ConfigParserFuzzTestInputs.
 */
public class ConfigParserFuzzTest {
  @TempDir static Path dir;

  @FuzzTest(maxDuration = "2m")
  @Timeout(30)
  void answersConfigOrPositionedErrors_forAnyFileContent(byte[] input) throws IOException {
    Path file = dir.resolve("wssguard.yaml");
    Files.write(file, input);
    try {
      assertNotNull(ConfigParser.parse(file));
    } catch (ConfigException e) {
      assertPositioned(e, file.toString());
    }
  }

  /** The shape every refused file's errors have; shared with the policy parser's fuzz test. */
  public static void assertPositioned(ConfigException e, String fileName) {
    assertFalse(e.errors().isEmpty());
    assertTrue(e.errors().size() <= ConfigParser.MAX_ERRORS, "errors over the cap");
    for (ConfigError error : e.errors()) {
      assertEquals(fileName, error.file(), error.toString());
      assertFalse(error.message().isBlank(), error.toString());
      if (error.line() == 0) {
        assertEquals(0, error.column(), error.toString());
        assertTrue(error.message().startsWith("cannot read: "), error.toString());
      } else {
        assertTrue(error.line() > 0 && error.column() > 0, error.toString());
      }
    }
  }
}
