package io.wssguard.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import org.junit.jupiter.api.Test;

/** Block membership at the edge prefixes, both families, and the text form. */
class CidrTest {
  private static InetAddress ip(String literal) throws Exception {
    return InetAddress.getByName(literal);
  }

  @Test
  void slash0_containsEveryAddressOfItsFamilyOnly() throws Exception {
    assertTrue(Cidr.parse("0.0.0.0/0").contains(ip("255.255.255.255")));
    assertTrue(Cidr.parse("0.0.0.0/0").contains(ip("0.0.0.0")));
    assertFalse(Cidr.parse("0.0.0.0/0").contains(ip("::1")));
    assertTrue(Cidr.parse("::/0").contains(ip("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff")));
    assertFalse(Cidr.parse("::/0").contains(ip("10.0.0.1")));
  }

  @Test
  void slash32_isOneIpv4Address() throws Exception {
    Cidr one = Cidr.parse("192.0.2.7/32");
    assertEquals(one, Cidr.parse("192.0.2.7"));
    assertTrue(one.contains(ip("192.0.2.7")));
    assertFalse(one.contains(ip("192.0.2.6")));
    assertFalse(one.contains(ip("192.0.2.8")));
  }

  @Test
  void slash128_isOneIpv6Address() throws Exception {
    Cidr one = Cidr.parse("2001:db8::ff/128");
    assertEquals(one, Cidr.parse("2001:db8::ff"));
    assertTrue(one.contains(ip("2001:db8::ff")));
    assertFalse(one.contains(ip("2001:db8::fe")));
    assertFalse(one.contains(ip("2001:db8::1:ff")));
  }

  @Test
  void slash64_isOneIpv6Subnet() throws Exception {
    Cidr net = Cidr.parse("2001:db8:1:2::/64");
    assertTrue(net.contains(ip("2001:db8:1:2::")));
    assertTrue(net.contains(ip("2001:db8:1:2:ffff:ffff:ffff:ffff")));
    assertFalse(net.contains(ip("2001:db8:1:3::")));
    assertFalse(net.contains(ip("2001:db8:1:1:ffff:ffff:ffff:ffff")));
  }

  @Test
  void slash7_splitsTheFirstByte() throws Exception {
    Cidr v4 = Cidr.parse("10.0.0.0/7");
    assertTrue(v4.contains(ip("10.0.0.0")));
    assertTrue(v4.contains(ip("11.255.255.255")));
    assertFalse(v4.contains(ip("9.255.255.255")));
    assertFalse(v4.contains(ip("12.0.0.0")));
    Cidr v6 = Cidr.parse("fc00::/7");
    assertTrue(v6.contains(ip("fdff:ffff::1")));
    assertFalse(v6.contains(ip("fe00::")));
    assertFalse(v6.contains(ip("fbff:ffff::")));
  }

  @Test
  void containsBlock_onlyWhenWhollyInside() {
    Cidr ten = Cidr.parse("10.0.0.0/8");
    assertTrue(ten.contains(Cidr.parse("10.1.0.0/16")));
    assertTrue(ten.contains(ten));
    assertFalse(Cidr.parse("10.1.0.0/16").contains(ten));
    assertFalse(ten.contains(Cidr.parse("::/0")));
  }

  @Test
  void printsIpv6InItsShortestForm() {
    assertEquals("2001:db8::/32", Cidr.parse("2001:0DB8:0000::/32").toString());
    assertEquals("::/0", Cidr.parse("::/0").toString());
    assertEquals("::1/128", Cidr.parse("::1").toString());
    assertEquals("2001:db8:0:1:1:1:1:1/128", Cidr.parse("2001:db8:0:1:1:1:1:1").toString());
    assertEquals("2001:0:0:1::1/128", Cidr.parse("2001:0:0:1:0:0:0:1").toString());
    assertEquals("10.0.0.0/8", Cidr.parse("10.0.0.0/8").toString());
  }

  @Test
  void constructorRefusesAPrefixLongerThanTheAddress() throws Exception {
    InetAddress v4 = ip("10.0.0.0");
    assertThrows(IllegalArgumentException.class, () -> new Cidr(v4, 33));
    assertThrows(IllegalArgumentException.class, () -> new Cidr(v4, -1));
  }

  @Test
  void shortText_dropsTheFullPrefix_keepsABlocks() {
    assertEquals("203.0.113.7", Cidr.parse("203.0.113.7/32").shortText());
    assertEquals("2001:db8::7", Cidr.parse("2001:db8::7").shortText());
    assertEquals("2001:db8::/48", Cidr.parse("2001:db8::/48").shortText());
    assertEquals("::", Cidr.parse("::").shortText());
    assertEquals("fd00::", Cidr.parse("fd00::").shortText());
    assertEquals("198.51.100.0/24", Cidr.parse("198.51.100.0/24").shortText());
  }

  @Test
  void constructorClearsHostBits_soEqualBlocksAreEqualRecords() throws Exception {
    assertEquals(Cidr.parse("10.0.0.0/8"), new Cidr(ip("10.1.2.3"), 8));
    assertEquals(Cidr.parse("2001:db8::/32"), Cidr.of(ip("2001:db8:ff::1"), 32));
  }

  @Test
  void parse_refusesHostBits_namingTheCorrectedBlock() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> Cidr.parse("10.1.2.3/8"));
    assertEquals("expected: 10.0.0.0/8, the block's first address", e.getMessage());
  }

  @Test
  void overlaps_isSymmetric_andFamilySafe() {
    assertTrue(Cidr.parse("10.0.0.0/8").overlaps(Cidr.parse("10.2.3.4")));
    assertTrue(Cidr.parse("10.2.3.4").overlaps(Cidr.parse("10.0.0.0/8")));
    assertFalse(Cidr.parse("10.0.0.0/8").overlaps(Cidr.parse("11.0.0.0/8")));
    assertFalse(Cidr.parse("0.0.0.0/1").overlaps(Cidr.parse("::1")));
  }

  @Test
  void address_readsLiteralsOnly_andNeverAHostName() throws Exception {
    assertEquals(ip("203.0.113.9"), Cidr.address("203.0.113.9"));
    assertEquals(ip("2001:db8::1"), Cidr.address("2001:db8::1"));
    // Hex digits and dots: a host name, not an address, whatever a resolver would make of it.
    assertEquals(null, Cidr.address("dead.beef.cafe"));
    assertEquals(null, Cidr.address("localhost"));
    assertEquals(null, Cidr.address("010.0.0.1"));
    assertEquals(null, Cidr.address("fe80::1%eth0"));
    assertEquals(null, Cidr.address(""));
  }
}
