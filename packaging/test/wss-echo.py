#!/usr/bin/env python3
"""One WebSocket echo over TLS, for the package install test: wss-echo.py HOST PORT CERT_PEM.

Checks that the proxy serves the certificate in CERT_PEM (it is self-signed, so it is compared rather than
verified), that the opening handshake is answered 101 with the right Sec-WebSocket-Accept, and that a masked
text message comes back unchanged. Exits non-zero on any difference."""
import base64
import hashlib
import os
import socket
import ssl
import struct
import sys

GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"


def read_exactly(sock, n):
    data = b""
    while len(data) < n:
        chunk = sock.recv(n - len(data))
        if not chunk:
            sys.exit("connection closed after %d of %d bytes" % (len(data), n))
        data += chunk
    return data


def send_frame(sock, opcode, payload):
    mask = os.urandom(4)
    header = bytes([0x80 | opcode])
    if len(payload) < 126:
        header += bytes([0x80 | len(payload)])
    else:
        header += bytes([0x80 | 126]) + struct.pack("!H", len(payload))
    sock.sendall(header + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(payload)))


def read_frame(sock):
    b0, b1 = read_exactly(sock, 2)
    if b1 & 0x80:
        sys.exit("server frame is masked")
    length = b1 & 0x7F
    if length == 126:
        length = struct.unpack("!H", read_exactly(sock, 2))[0]
    elif length == 127:
        length = struct.unpack("!Q", read_exactly(sock, 8))[0]
    return b0 & 0x0F, read_exactly(sock, length)


def main():
    host, port, cert_pem = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    with open(cert_pem) as f:
        expected_der = ssl.PEM_cert_to_DER_cert(f.read())
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE  # compared below instead
    with socket.create_connection((host, port), timeout=10) as raw:
        with ctx.wrap_socket(raw, server_hostname="localhost") as s:
            if s.getpeercert(binary_form=True) != expected_der:
                sys.exit("the proxy serves another certificate than " + cert_pem)
            key = base64.b64encode(os.urandom(16)).decode()
            s.sendall((
                "GET /install-test HTTP/1.1\r\nHost: localhost\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                "Sec-WebSocket-Key: %s\r\nSec-WebSocket-Version: 13\r\n\r\n" % key).encode())
            head = b""
            while not head.endswith(b"\r\n\r\n"):
                head += read_exactly(s, 1)
            lines = head.decode("latin-1").split("\r\n")
            if not lines[0].startswith("HTTP/1.1 101"):
                sys.exit("handshake answered: " + lines[0])
            accept = base64.b64encode(hashlib.sha1((key + GUID).encode()).digest()).decode()
            headers = {l.split(":", 1)[0].strip().lower(): l.split(":", 1)[1].strip() for l in lines[1:] if ":" in l}
            if headers.get("sec-websocket-accept") != accept:
                sys.exit("wrong Sec-WebSocket-Accept: %r" % headers.get("sec-websocket-accept"))
            message = "hello through the packaged wssguard".encode()
            send_frame(s, 0x1, message)
            opcode, payload = read_frame(s)
            if (opcode, payload) != (0x1, message):
                sys.exit("echo differs: opcode %d payload %r" % (opcode, payload))
            send_frame(s, 0x8, struct.pack("!H", 1000))
            opcode, payload = read_frame(s)
            if opcode != 0x8:
                sys.exit("expected a close frame, got opcode %d" % opcode)
            print("wss echo ok over %s (%s), certificate matches %s" % (s.version(), s.cipher()[0], cert_pem))


if __name__ == "__main__":
    main()
