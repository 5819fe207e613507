package io.wssguard.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import picocli.CommandLine;

/** {@code wssguard bench} options that are refused before anything starts. */
class BenchCommandTest {

  private static String refusal(String... args) {
    StringWriter err = new StringWriter();
    CommandLine cli = new CommandLine(new Main());
    cli.setErr(new PrintWriter(err, true));
    assertEquals(2, cli.execute(args), err.toString());
    return err.toString();
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "0|",
        "2MiB|",
        "4KB|; KB is not a unit here (sizes are binary: KiB = 1024 B), did you mean 4KiB?"
      })
  void size_outsideTheRangeOrInDecimalUnits_isRefused_namingUnitsAndRange(
      String size, String hint) {
    assertEquals(
        "wssguard bench: --size: "
            + size
            + " (expected: size in B, KiB, MiB or GiB like 64KiB, 1 B..1 MiB"
            + (hint == null ? "" : hint)
            + ")\n",
        refusal("bench", "--size", size));
  }
}
