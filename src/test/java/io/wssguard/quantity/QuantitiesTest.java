package io.wssguard.quantity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The one size notation: binary units, plain integers as bytes, a per-field range, hints. */
class QuantitiesTest {

  @ParameterizedTest
  @CsvSource({
    "0, 0",
    "1025, 1025",
    "7 B, 7",
    "7B, 7",
    "1 KiB, 1024",
    "64KiB, 65536",
    "1 MiB, 1048576",
    "2GiB, 2147483648"
  })
  void parseSize_readsEveryBinaryUnit_andAPlainIntegerAsBytes(String text, long bytes) {
    assertEquals(bytes, Quantities.parseSize(text));
  }

  /** 2^34 + 1 GiB wrapped round to exactly 1 GiB, inside most ranges. */
  @Test
  void parseSize_isNotASize_whenTheBytesOverflowALong() {
    assertEquals(-1, Quantities.parseSize("17179869185GiB"));
    assertEquals(-1, Quantities.parseSize("999999999999 GiB"));
    assertEquals(8_589_934_591L * Quantities.GIB, Quantities.parseSize("8589934591GiB"));
    assertThrows(
        IllegalArgumentException.class,
        () -> Quantities.parseSize("17179869185GiB", 1, 2 * Quantities.GIB));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        "-1",
        "1.5KiB",
        "1  KiB",
        " 1KiB",
        "KiB",
        "1 kib",
        "1KB",
        "1k",
        "1000000000000"
      })
  void parseSize_isMinusOne_forAnythingElse(String text) {
    assertEquals(-1, Quantities.parseSize(text));
  }

  @Test
  void parseSizeInRange_takesTheBounds_andNamesUnitsAndRangeOtherwise() {
    assertEquals(1024, Quantities.parseSize("1 KiB", Quantities.KIB, 64 * Quantities.KIB));
    assertEquals(65536, Quantities.parseSize("64KiB", Quantities.KIB, 64 * Quantities.KIB));
    for (String text : new String[] {"1023", "65537", "65KiB", "lots"}) {
      IllegalArgumentException e =
          assertThrows(
              IllegalArgumentException.class,
              () -> Quantities.parseSize(text, Quantities.KIB, 64 * Quantities.KIB));
      assertEquals(
          "expected: size in B, KiB, MiB or GiB like 64KiB, 1 KiB..64 KiB", e.getMessage());
    }
  }

  @ParameterizedTest
  @CsvSource({
    "64KB, KB, 64KiB",
    "64 kb, kb, 64KiB",
    "64k, k, 64KiB",
    "1M, M, 1MiB",
    "1mb, mb, 1MiB",
    "2G, G, 2GiB",
    "2 GB, GB, 2GiB",
    "8kib, kib, 8KiB",
    "8KIB, KIB, 8KiB",
    "8Ki, Ki, 8KiB"
  })
  void decimalOrMisspeltUnits_areRefused_withTheBinarySizeMeant(
      String text, String unit, String meant) {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> Quantities.parseSize(text, 1, 1L << 31));
    assertEquals(
        "expected: size in B, KiB, MiB or GiB like 64KiB, 1 B..2 GiB; "
            + unit
            + " is not a unit here (sizes are binary: KiB = 1024 B), did you mean "
            + meant
            + "?",
        e.getMessage());
  }

  @Test
  void meantSize_hasNothingToSay_aboutValidUnitsOrOtherText() {
    assertEquals(Optional.empty(), Quantities.meantSize("128KiB"));
    assertEquals(Optional.empty(), Quantities.meantSize("1.5MiB"));
    assertEquals(Optional.empty(), Quantities.meantSize("lots"));
    assertEquals(Optional.empty(), Quantities.meantSize(null));
  }

  @Test
  void meantSize_keepsARatesPer() {
    assertEquals(
        Optional.of("MB is not a unit here (sizes are binary: KiB = 1024 B), did you mean 8MiB/s?"),
        Quantities.meantSize("8MB/s"));
  }

  @Test
  void parseRate_ofSizes_usesTheSameUnits() {
    assertEquals(8 * Quantities.MIB, Quantities.parseRate("8MiB/s", true));
    assertEquals(1024 / 60.0, Quantities.parseRate("1 KiB/m", true));
    assertEquals(-1, Quantities.parseRate("8MB/s", true));
  }

  @Test
  void formatSize_isTheShortestExactRendering() {
    assertEquals("2 GiB", Quantities.formatSize(2 * Quantities.GIB));
    assertEquals("1 KiB", Quantities.formatSize(1024));
    assertEquals("1500 B", Quantities.formatSize(1500));
    assertEquals("0 B", Quantities.formatSize(0));
  }
}
