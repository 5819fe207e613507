package io.wssguard.tls;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLException;

/**
 * Client-side helpers for the TLS tests: raw ClientHellos, an in-memory handshake (a trust-all JDK
 * client is {@code testing.TrustAll}).
 */
final class TestClients {
  private TestClients() {}

  /** Sends {@code GET path} with Connection: close and returns the whole raw response. */
  static byte[] get(Socket socket, String path) throws IOException {
    OutputStream out = socket.getOutputStream();
    out.write(
        ("GET " + path + " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
            .getBytes(StandardCharsets.US_ASCII));
    out.flush();
    return socket.getInputStream().readAllBytes();
  }

  /**
   * A minimal TLS ClientHello (no SNI) offering {@code legacyVersion} (0x0302 = TLS 1.1, 0x0303 =
   * TLS 1.2) and the given cipher suite code points. Returns the first byte the server answers
   * with: 0x16 handshake, 0x15 alert, -1 for a close.
   */
  static int rawClientHello(int port, int legacyVersion, int... suites) throws IOException {
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    body.write(legacyVersion >> 8);
    body.write(legacyVersion);
    body.write(new byte[32], 0, 32); // random: the server does not care for this test
    body.write(0); // no session id
    u16(body, suites.length * 2);
    for (int s : suites) {
      u16(body, s);
    }
    body.write(1);
    body.write(0); // null compression
    ByteArrayOutputStream ext = new ByteArrayOutputStream();
    extension(
        ext, 0x000a, new int[] {0x0004, 0x001d, 0x0017}); // supported_groups: x25519, secp256r1
    ext.write(
        new byte[] {0x00, 0x0b, 0x00, 0x02, 0x01, 0x00}, 0, 6); // ec_point_formats: uncompressed
    extension(ext, 0x000d, new int[] {0x0006, 0x0403, 0x0804, 0x0401}); // signature_algorithms
    u16(body, ext.size());
    ext.writeTo(body);

    ByteArrayOutputStream record = new ByteArrayOutputStream();
    record.write(0x16);
    u16(record, 0x0301);
    u16(record, body.size() + 4);
    record.write(0x01);
    record.write(body.size() >> 16);
    u16(record, body.size());
    body.writeTo(record);

    try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
      socket.setSoTimeout(10_000);
      socket.getOutputStream().write(record.toByteArray());
      socket.getOutputStream().flush();
      try {
        return new DataInputStream(socket.getInputStream()).read();
      } catch (IOException reset) {
        return -1;
      }
    }
  }

  private static void extension(ByteArrayOutputStream out, int type, int[] u16s) {
    u16(out, type);
    u16(out, u16s.length * 2);
    for (int v : u16s) {
      u16(out, v);
    }
  }

  private static void u16(ByteArrayOutputStream out, int v) {
    out.write(v >> 8);
    out.write(v);
  }

  /** Runs a handshake between two engines in memory. */
  static void handshake(SSLEngine client, SSLEngine server) throws SSLException {
    ByteBuffer toServer = ByteBuffer.allocate(64 * 1024);
    ByteBuffer toClient = ByteBuffer.allocate(64 * 1024);
    ByteBuffer sink = ByteBuffer.allocate(64 * 1024);
    ByteBuffer empty = ByteBuffer.allocate(0);
    client.beginHandshake();
    server.beginHandshake();
    for (int i = 0; i < 100; i++) {
      if (done(client) && done(server)) {
        return;
      }
      client.wrap(empty, toServer);
      runTasks(client);
      toServer.flip();
      server.unwrap(toServer, sink);
      runTasks(server);
      toServer.compact();
      server.wrap(empty, toClient);
      runTasks(server);
      toClient.flip();
      while (toClient.hasRemaining()) {
        SSLEngineResult r = client.unwrap(toClient, sink);
        runTasks(client);
        if (r.bytesConsumed() == 0) {
          break;
        }
      }
      toClient.compact();
      toServer.flip();
      while (toServer.hasRemaining()) {
        SSLEngineResult r = server.unwrap(toServer, sink);
        runTasks(server);
        if (r.bytesConsumed() == 0) {
          break;
        }
      }
      toServer.compact();
    }
    throw new AssertionError(
        "handshake did not finish: client "
            + client.getHandshakeStatus()
            + ", server "
            + server.getHandshakeStatus());
  }

  private static boolean done(SSLEngine e) {
    SSLEngineResult.HandshakeStatus s = e.getHandshakeStatus();
    return s == SSLEngineResult.HandshakeStatus.NOT_HANDSHAKING
        || s == SSLEngineResult.HandshakeStatus.FINISHED;
  }

  private static void runTasks(SSLEngine e) {
    for (Runnable task = e.getDelegatedTask(); task != null; task = e.getDelegatedTask()) {
      task.run();
    }
  }

  /** Number of TLS records in {@code wire} (position to limit), failing on a torn record. */
  static int countRecords(ByteBuffer wire) {
    ByteBuffer b = wire.duplicate();
    int records = 0;
    while (b.hasRemaining()) {
      b.position(b.position() + 3);
      int length = b.getShort() & 0xffff;
      b.position(b.position() + length);
      records++;
    }
    return records;
  }
}
