#!/usr/bin/env node
// Proxy CPU per TLS 1.3 handshake, full or resumed with a session ticket (PSK), for one target.
// The anchors harness (../shared/anchors) measures full handshakes only; this measures both, the same
// way: P parallel loops of connect-handshake-close, proxy CPU from /proc (schedstat of the given PIDs,
// their threads and descendants) over the measured window, divided by the handshakes completed.
//
//   node bench/tlsresume.js --target 127.0.0.1:9447 --proxy-pids 1234 --mode resume --out r.json
//
// --mode full    every connection a full handshake (no session offered), as the harness's tlshs test
// --mode resume  each loop first fetches a ticket (one full handshake and a WebSocket upgrade, since a server
//                may hold its NewSessionTicket back until it writes; the upgrade is answered by the backend
//                behind the proxy, as a well-behaved client's would be), then offers that session on every
//                connection; the report counts how many the server really resumed
// Bounded: --warmup and --duration seconds, plus a watchdog. Loopback only.
'use strict';
const fs = require('fs');
const tls = require('tls');

const args = {};
for (let i = 2; i < process.argv.length; i++) {
  const k = process.argv[i];
  if (!k.startsWith('--')) continue;
  const v = process.argv[i + 1];
  if (v === undefined || v.startsWith('--')) args[k.slice(2)] = true; else { args[k.slice(2)] = v; i++; }
}
const [host, port] = String(args.target || '').split(':');
if (!host || !port) { console.error('usage: tlsresume.js --target host:port --proxy-pids P[+P] [--mode full|resume]'); process.exit(2); }
const mode = args.mode || 'resume';
const par = +(args.par || 32), warmup = +(args.warmup || 2), duration = +(args.duration || 8);
const pids = String(args['proxy-pids'] || '').split('+').filter(Boolean).map(Number);
const name = args.name || `${host}:${port}`;
setTimeout(() => { console.error('watchdog fired'); process.exit(3); }, (warmup + duration + 30) * 1000).unref();

function descendants(roots) {
  const parent = new Map();
  for (const d of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try { const s = fs.readFileSync(`/proc/${d}/stat`, 'utf8'); parent.set(+d, +s.slice(s.lastIndexOf(')') + 2).split(' ')[1]); } catch {}
  }
  const all = new Set(roots);
  for (let grew = true; grew;) { grew = false; for (const [p, pp] of parent) if (all.has(pp) && !all.has(p)) { all.add(p); grew = true; } }
  return [...all];
}
function cpuSeconds(list) { // schedstat runtime of every thread of every process
  let ns = 0;
  for (const p of list) {
    try { for (const t of fs.readdirSync(`/proc/${p}/task`)) { try { ns += +fs.readFileSync(`/proc/${p}/task/${t}/schedstat`, 'utf8').split(' ')[0]; } catch {} } } catch {}
  }
  return ns / 1e9;
}

const base = { host, port: +port, rejectUnauthorized: false, minVersion: 'TLSv1.3', maxVersion: 'TLSv1.3', servername: 'localhost' };

function fetchTicket() { // resolves with a session a later connection can offer
  return new Promise((resolve, reject) => {
    const s = tls.connect(base, () => s.write('GET / HTTP/1.1\r\nHost: localhost\r\nUpgrade: websocket\r\n' +
      'Connection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n'));
    const timer = setTimeout(() => { s.destroy(); reject(new Error('no session ticket within 5 s')); }, 5000);
    s.once('session', (session) => { clearTimeout(timer); s.destroy(); resolve(session); });
    s.on('data', () => {});
    s.on('error', (e) => { clearTimeout(timer); reject(e); });
  });
}

let running = false, counting = false, ok = 0, resumed = 0, failed = 0, lastErr = '';
function loop(session) {
  if (!running) return;
  const s = tls.connect(session ? { ...base, session } : base, () => {
    if (counting) { ok++; if (s.isSessionReused()) resumed++; }
    s.destroy();
    setImmediate(() => loop(session));
  });
  s.on('error', (e) => { if (counting) failed++; lastErr = e.code || e.message; s.destroy(); setTimeout(() => loop(session), 5); });
}

(async () => {
  const sessions = [];
  if (mode === 'resume') for (let i = 0; i < par; i++) sessions.push(await fetchTicket());
  running = true;
  for (let i = 0; i < par; i++) loop(sessions[i]);
  await new Promise((r) => setTimeout(r, warmup * 1000));
  const procs = descendants(pids);
  const c0 = cpuSeconds(procs), client0 = process.cpuUsage(), t0 = process.hrtime.bigint();
  counting = true;
  await new Promise((r) => setTimeout(r, duration * 1000));
  counting = false;
  const c1 = cpuSeconds(procs), client = process.cpuUsage(client0), secs = Number(process.hrtime.bigint() - t0) / 1e9;
  running = false;
  const r = {
    name, mode, target: `${host}:${port}`, par, warmup, duration: +secs.toFixed(2), handshakes: ok, resumed, failed, lastErr,
    handshakes_per_s: +(ok / secs).toFixed(1),
    resumed_pct: ok ? +(100 * resumed / ok).toFixed(1) : null,
    proxy_cpu_us_per_handshake: ok ? +((c1 - c0) * 1e6 / ok).toFixed(1) : null,
    client_cpu_us_per_handshake: ok ? +((client.user + client.system) / ok).toFixed(1) : null,
    proxy_util_pct: +(100 * (c1 - c0) / secs).toFixed(1),
  };
  if (args.out) fs.writeFileSync(args.out, JSON.stringify(r, null, 1) + '\n');
  console.log(`[${mode}] ${name} ${r.handshakes_per_s} hs/s resumed ${r.resumed_pct}% proxy ${r.proxy_cpu_us_per_handshake} us/hs util ${r.proxy_util_pct}% fail=${failed}${failed ? ' (' + lastErr + ')' : ''}`);
  setTimeout(() => process.exit(0), 200);
})().catch((e) => { console.error(e); process.exit(1); });
