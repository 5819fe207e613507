package io.wssguard.net;

import static io.wssguard.net.ProxyHeaderLength.INCOMPLETE;
import static io.wssguard.net.ProxyHeaderLength.INVALID;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

class ProxyHeaderLengthTest {
  private static final byte[] SIGNATURE = {
    0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A
  };

  /** A v2 header: signature, {@code verCmd}, {@code family}, the length and {@code body}. */
  private static byte[] v2(int verCmd, int family, byte[] body) {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    b.writeBytes(SIGNATURE);
    b.write(verCmd);
    b.write(family);
    b.write(body.length >>> 8);
    b.write(body.length);
    b.writeBytes(body);
    return b.toByteArray();
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] c = new byte[a.length + b.length];
    System.arraycopy(a, 0, c, 0, a.length);
    System.arraycopy(b, 0, c, a.length, b.length);
    return c;
  }

  private static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }

  /** The answer for each number of bytes read so far, 0 to all of {@code bytes}. */
  private static List<Integer> answers(byte[] bytes) {
    ByteBuffer b = ByteBuffer.wrap(bytes);
    List<Integer> answers = new ArrayList<>();
    for (int end = 0; end <= bytes.length; end++) {
      answers.add(ProxyHeaderLength.of(b, end));
      assertEquals(0, b.position(), "the buffer is not moved");
    }
    return answers;
  }

  /** INCOMPLETE for every count below {@code at}, then {@code then} up to {@code total}. */
  private static List<Integer> incompleteUntil(int at, int then, int total) {
    List<Integer> expected = new ArrayList<>(Collections.nCopies(at, INCOMPLETE));
    expected.addAll(Collections.nCopies(total + 1 - at, then));
    return expected;
  }

  @Test
  void v2Header_isIncompleteUntilItsLastByte_thenItsLength_evenWithBytesAfterIt() {
    byte[] tcp4 = new byte[12];
    byte[] tlvs = {0x04, 0, 3, 0, 0, 0};
    byte[] header = v2(0x21, 0x11, concat(tcp4, tlvs));
    byte[] withRequest = concat(header, ascii("GET / HTTP/1.1\r\n"));

    assertEquals(
        incompleteUntil(header.length, header.length, withRequest.length), answers(withRequest));
  }

  @Test
  void v2Local_withNoAddresses_isSixteenBytes() {
    assertEquals(incompleteUntil(16, 16, 16), answers(v2(0x20, 0x00, new byte[0])));
  }

  @Test
  void v2Header_ofTheLongestLength_isTaken_oneByteLonger_isInvalidOnceTheLengthIsRead() {
    byte[] longest = v2(0x21, 0x21, new byte[ProxyHeaderLength.MAX_V2_LENGTH]);
    assertEquals(ProxyHeaderLength.MAX_BYTES, ProxyHeaderLength.of(ByteBuffer.wrap(longest), 4112));

    byte[] tooLong = v2(0x21, 0x21, new byte[ProxyHeaderLength.MAX_V2_LENGTH + 1]);
    assertEquals(incompleteUntil(16, INVALID, 40), answers(Arrays.copyOf(tooLong, 40)));
  }

  @Test
  void v2Signature_isInvalid_atItsFirstWrongByte_andAVersionOtherThan2_atTheThirteenth() {
    byte[] header = v2(0x21, 0x11, new byte[12]);
    header[7] = 'q';
    assertEquals(incompleteUntil(8, INVALID, 20), answers(Arrays.copyOf(header, 20)));

    byte[] version1 = v2(0x11, 0x11, new byte[12]);
    assertEquals(incompleteUntil(13, INVALID, 20), answers(Arrays.copyOf(version1, 20)));
  }

  @Test
  void v1Header_isIncompleteUntilItsLineFeed_thenItsLength() {
    byte[] line = ascii("PROXY TCP4 203.0.113.7 127.0.0.1 40000 443\r\n");
    byte[] withRequest = concat(line, ascii("GET / HTTP/1.1\r\n"));

    assertEquals(
        incompleteUntil(line.length, line.length, withRequest.length), answers(withRequest));
  }

  @Test
  void v1Header_isInvalid_atAWrongPrefixByte_aBareLineFeed_orNoLineFeedWithin107Bytes() {
    assertEquals(incompleteUntil(3, INVALID, 9), answers(ascii("PRXY TCP4")));
    byte[] bare = ascii("PROXY UNKNOWN\n");
    assertEquals(incompleteUntil(bare.length, INVALID, bare.length), answers(bare));
    byte[] endless = ascii("PROXY " + "1".repeat(120));
    assertEquals(incompleteUntil(107, INVALID, endless.length), answers(endless));
    byte[] longest = ascii("PROXY UNKNOWN " + "1".repeat(91) + "\r\n");
    assertEquals(107, longest.length);
    assertEquals(107, ProxyHeaderLength.of(ByteBuffer.wrap(longest), 107));
  }

  @Test
  void anythingElse_isInvalidAtItsFirstByte() {
    assertEquals(List.of(INCOMPLETE, INVALID, INVALID), answers(ascii("GE")));
    assertEquals(List.of(INCOMPLETE, INVALID), answers(new byte[] {0x16})); // a TLS record
  }
}
