package io.wssguard.policy;

import static org.junit.jupiter.api.Assertions.assertNotNull;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.wssguard.config.ConfigException;
import io.wssguard.config.ConfigParserFuzzTest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Coverage-guided fuzzing of the policy parser (docs/FUZZING.md): any bytes in a real policy file
 * give a policy set or a {@link ConfigException} with a position for every error, never another
 * exception or a hang. Corpus: src/test/resources/io/wssguard/policy/PolicyParserFuzzTestInputs.
 */
class PolicyParserFuzzTest {
  @TempDir static Path dir;

  @FuzzTest(maxDuration = "2m")
  @Timeout(30)
  void answersPoliciesOrPositionedErrors_forAnyFileContent(byte[] input) throws IOException {
    Path file = dir.resolve("policy.yaml");
    Files.write(file, input);
    try {
      assertNotNull(PolicyParser.parseFiles(List.of(file)));
    } catch (ConfigException e) {
      ConfigParserFuzzTest.assertPositioned(e, file.toString());
    }
  }
}
