// Shared by the scale and flood load generators: a minimal RFC 6455 client on `net`/`tls` (no dependencies, so
// one process holds thousands of sockets cheaply) and a latency histogram that workers ship to their master.
'use strict';
const net = require('net');
const tls = require('tls');
const crypto = require('crypto');
const { performance } = require('perf_hooks');

// ---- latency histogram: microseconds, exact below 1024 µs, then 128 sub-buckets per power of two (< 0.8% error)
const SUB = 128;
const HBUCKETS = 1024 + 22 * SUB; // up to 2^32 µs
function bucketOf(us) {
  let v = Math.floor(us);
  if (v < 1024) return v < 0 ? 0 : v;
  if (v > 0xffffffff) v = 0xffffffff;
  const e = Math.floor(Math.log2(v)); // 10..31
  return 1024 + (e - 10) * SUB + Math.floor((v / 2 ** e - 1) * SUB);
}
function valueOf(b) { // the bucket's middle
  if (b < 1024) return b;
  const e = 10 + Math.floor((b - 1024) / SUB), s = (b - 1024) % SUB;
  return Math.round(2 ** e * (1 + (s + 0.5) / SUB));
}
class Histogram {
  constructor() { this.h = new Float64Array(HBUCKETS); this.n = 0; }
  record(us) { this.h[bucketOf(us)]++; this.n++; }
  reset() { this.h.fill(0); this.n = 0; }
  sparse() { const s = []; for (let i = 0; i < HBUCKETS; i++) if (this.h[i]) s.push(i, this.h[i]); return s; }
  add(sparse) { for (let i = 0; i < sparse.length; i += 2) { this.h[sparse[i]] += sparse[i + 1]; this.n += sparse[i + 1]; } }
  pct(p) { // µs, or null when empty
    if (!this.n) return null;
    const want = Math.max(1, Math.ceil(this.n * p / 100)); let c = 0;
    for (let i = 0; i < HBUCKETS; i++) { c += this.h[i]; if (c >= want) return valueOf(i); }
    return null;
  }
  summary() { return { count: this.n, p50: this.pct(50), p90: this.pct(90), p99: this.pct(99), p999: this.pct(99.9), max: this.pct(100) }; }
}

// ---- one masked binary frame of `size` random bytes, sent as is every time (the payload does not matter)
function maskedFrame(size) {
  const hl = size < 126 ? 6 : 8; // no 64-bit lengths needed here
  const f = Buffer.alloc(hl + size);
  f[0] = 0x82;
  if (size < 126) f[1] = 0x80 | size; else { f[1] = 0x80 | 126; f.writeUInt16BE(size, 2); }
  crypto.randomBytes(4).copy(f, hl - 4);
  crypto.randomBytes(size).copy(f, hl);
  return f;
}
const PONG = Buffer.from([0x8a, 0x80, 0, 0, 0, 0]);

function upgradeRequest(path, host) {
  return `GET ${path} HTTP/1.1\r\nHost: ${host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
    `Sec-WebSocket-Key: ${crypto.randomBytes(16).toString('base64')}\r\nSec-WebSocket-Version: 13\r\n\r\n`;
}

function dial(o) { // {host, port, tls, localAddress}: a socket, connecting
  const opts = { host: o.host, port: o.port, localAddress: o.localAddress };
  const s = o.tls ? tls.connect({ ...opts, rejectUnauthorized: false, minVersion: 'TLSv1.3', servername: o.servername })
    : net.connect(opts);
  s.setNoDelay(true);
  return s;
}

// Opens one WebSocket conversation. Resolves to a Conversation on 101, or to {error} (the status line or socket
// error) otherwise. Echoes are matched first-in first-out, so `onEcho(rttMicros)` gets each message's round trip.
function openConversation(o) {
  return new Promise((resolve) => {
    const s = dial(o);
    const c = new Conversation(s, o.size || 128);
    let done = false, head = null;
    const fin = (r) => { if (!done) { done = true; resolve(r); } };
    s.setTimeout(o.timeoutMs || 20000, () => { s.destroy(); fin({ error: 'handshake timeout' }); });
    s.once(o.tls ? 'secureConnect' : 'connect', () => s.write(upgradeRequest(o.path || '/', `${o.host}:${o.port}`)));
    const onData = (d) => {
      head = head ? Buffer.concat([head, d]) : d;
      const end = head.indexOf('\r\n\r\n');
      if (end < 0) { if (head.length > 8192) { s.destroy(); fin({ error: 'response head too large' }); } return; }
      const status = head.subarray(0, head.indexOf('\r\n')).toString('latin1');
      if (!status.startsWith('HTTP/1.1 101')) { s.destroy(); fin({ error: status }); return; }
      s.setTimeout(0);
      s.off('data', onData);
      s.on('data', (x) => c.onData(x));
      fin(c);
      if (head.length > end + 4) c.onData(head.subarray(end + 4));
      head = null;
    };
    s.on('data', onData);
    s.on('error', (e) => { c.error = e.code || e.message; fin({ error: c.error }); });
    s.on('close', () => { c.open = false; fin({ error: c.error || 'closed before 101' }); if (c.onClose) c.onClose(c); });
  });
}

class Conversation {
  constructor(sock, size) {
    this.sock = sock; this.open = true; this.error = null; this.size = size; this.frame = maskedFrame(size);
    this.sentAt = []; this.head = 0; this.buf = null; this.echoes = 0; this.badFrames = 0;
    this.onEcho = null; this.onClose = null; this.closeCode = null;
  }
  send() {
    if (!this.open) return false;
    this.sentAt.push(performance.now());
    this.sock.write(this.frame);
    return true;
  }
  outstanding() { return this.sentAt.length - this.head; }
  onData(chunk) {
    if (this.buf) { chunk = Buffer.concat([this.buf, chunk]); this.buf = null; }
    const now = performance.now(); let off = 0; const n = chunk.length;
    while (n - off >= 2) {
      const b1 = chunk[off + 1] & 0x7f; let hl = 2, len = b1;
      if (b1 === 126) { if (n - off < 4) break; len = chunk.readUInt16BE(off + 2); hl = 4; }
      else if (b1 === 127) { if (n - off < 10) break; len = Number(chunk.readBigUInt64BE(off + 2)); hl = 10; }
      if (chunk[off + 1] & 0x80) { hl += 4; this.badFrames++; } // a server never masks
      if (n - off < hl + len) break;
      const op = chunk[off] & 0x0f;
      if (op === 1 || op === 2) {
        if (len !== this.size) this.badFrames++;
        const t0 = this.sentAt[this.head++];
        if (this.head > 1024) { this.sentAt = this.sentAt.slice(this.head); this.head = 0; }
        this.echoes++;
        if (t0 !== undefined && this.onEcho) this.onEcho((now - t0) * 1000);
      } else if (op === 9) this.sock.write(PONG);
      else if (op === 8) { this.closeCode = len >= 2 ? chunk.readUInt16BE(off + hl) : 1005; this.sock.destroy(); }
      off += hl + len;
    }
    if (off < n) this.buf = chunk.subarray(off);
  }
  close() { this.open = false; this.sock.destroy(); }
}

// 127.x.y.z source addresses from a base such as "127.0.1.1": the i-th address after it (loopback only).
function sourceAddresses(base, count) {
  const p = base.split('.').map(Number);
  if (p.length !== 4 || p[0] !== 127) throw new Error('source base must be a 127.0.0.0/8 address: ' + base);
  const start = (p[1] << 16) | (p[2] << 8) | p[3], out = [];
  for (let i = 0; i < count; i++) {
    const v = start + i;
    if (v > 0xfffffe) throw new Error('source addresses run past 127.255.255.254');
    out.push(`127.${(v >> 16) & 255}.${(v >> 8) & 255}.${v & 255}`);
  }
  return out;
}

function parseArgs(argv) {
  const a = {};
  for (let i = 0; i < argv.length; i++) {
    const k = argv[i]; if (!k.startsWith('--')) continue;
    const nx = argv[i + 1];
    if (nx === undefined || nx.startsWith('--')) a[k.slice(2)] = true; else { a[k.slice(2)] = nx; i++; }
  }
  return a;
}

function loopbackTarget(s) {
  const i = String(s).lastIndexOf(':'), host = String(s).slice(0, i), port = +String(s).slice(i + 1);
  if (!host.startsWith('127.') || !(port > 0)) throw new Error('target must be 127.x.y.z:port: ' + s);
  return { host, port };
}

module.exports = { Histogram, openConversation, dial, upgradeRequest, sourceAddresses, parseArgs, loopbackTarget };
