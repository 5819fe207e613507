package io.wssguard.ban;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class CidrSyntaxTest {
  @Test
  void parse_acceptsAddressesAndBlocks_clearingHostBits() {
    assertEquals("203.0.113.7/32", CidrSyntax.parse("203.0.113.7").toString());
    assertEquals("10.0.0.0/8", CidrSyntax.parse("10.1.2.3/8").toString());
    assertEquals("2001:db8::/32", CidrSyntax.parse("2001:db8:ff::1/32").toString());
    assertEquals("203.0.113.7", CidrSyntax.format(CidrSyntax.parse("203.0.113.7/32")));
    assertEquals("2001:db8::7", CidrSyntax.format(CidrSyntax.parse("2001:db8::7")));
    assertEquals("2001:db8::/48", CidrSyntax.format(CidrSyntax.parse("2001:db8::/48")));
    assertEquals("::", CidrSyntax.format(CidrSyntax.parse("::")));
    assertEquals("::1", CidrSyntax.format(CidrSyntax.parse("::1")));
    assertEquals("fd00::", CidrSyntax.format(CidrSyntax.parse("fd00::")));
    assertEquals("2001:db8:0:1:1:1:1:1", CidrSyntax.format(CidrSyntax.parse("2001:db8:0:1:1:1:1:1")));
    assertEquals("2001:0:0:1::1", CidrSyntax.format(CidrSyntax.parse("2001:0:0:1:0:0:0:1")));
    assertEquals("fd00:211::2/128", CidrSyntax.formatWithPrefix(CidrSyntax.parse("fd00:211::2")));
    assertEquals("198.51.100.0/24", CidrSyntax.format(CidrSyntax.parse("198.51.100.0/24")));
  }

  @ParameterizedTest
  @ValueSource(strings = {"10.0.0.1/33", "10.0.0.256", "10.0.0", "example.com", "", "/8", "10.0.0.1/", "10.0.0.1/-1",
      "2001:db8::/129", "::ffff:10.0.0.1", "10.0.0.1/08a", "1.2.3.4 ", "localhost", "2001:db8::g"})
  void parse_rejectsWithTheUserMessage(String text) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> CidrSyntax.parse(text));
    assertEquals("'" + text + "' is not an address or CIDR block (expected e.g. 203.0.113.7 or 203.0.113.0/24)",
        e.getMessage());
  }

  @Test
  void overlaps_isSymmetric_andFamilySafe() {
    assertTrue(CidrSyntax.overlaps(CidrSyntax.parse("10.0.0.0/8"), CidrSyntax.parse("10.2.3.4")));
    assertTrue(CidrSyntax.overlaps(CidrSyntax.parse("10.2.3.4"), CidrSyntax.parse("10.0.0.0/8")));
    assertFalse(CidrSyntax.overlaps(CidrSyntax.parse("10.0.0.0/8"), CidrSyntax.parse("11.0.0.0/8")));
    assertFalse(CidrSyntax.overlaps(CidrSyntax.parse("0.0.0.0/1"), CidrSyntax.parse("::1")));
  }
}
