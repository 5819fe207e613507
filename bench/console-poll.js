// A security console left open on its overview, for bench/overhead.sh: signs in to the admin listener with the
// token (POST /session, as the page's form does), holds the session cookie, and then does what console.js does
// once a second on the overview: GET /overview?since=<last sample> and GET /events?after=<last event>.
// GETs carry the cookie only (the page sends X-CSRF-Token with state changes, of which there are none here).
//
//   node bench/console-poll.js --admin 127.0.0.1:9090 --token-file FILE --seconds 600 [--out stats.json]
//
// Loopback only; bounded by --seconds (and by `timeout` in the caller). Exits on SIGTERM, writing its counts.
'use strict';
const fs = require('fs');

const args = {};
for (let i = 2; i < process.argv.length; i += 2) args[process.argv[i].replace(/^--/, '')] = process.argv[i + 1];
const admin = args.admin || '127.0.0.1:9090';
if (!admin.startsWith('127.')) throw new Error('--admin must be on loopback 127.0.0.0/8');
const base = 'http://' + admin;
const token = fs.readFileSync(args['token-file'], 'utf8').trim();
const seconds = Number(args.seconds || 600);
const POLL_MS = 1000; // console.js POLL_MS

const stats = { signedIn: false, ticks: 0, requests: 0, non200: 0, errors: 0, lastError: '', bytes: 0 };
let cookie = '';
let lastAt = 0;
let eventsAfter = 0;

function finish(code) {
  if (args.out) fs.writeFileSync(args.out, JSON.stringify(stats));
  process.exit(code);
}
process.on('SIGTERM', () => finish(0));
process.on('SIGINT', () => finish(0));
setTimeout(() => finish(0), seconds * 1000).unref();

async function get(path) {
  stats.requests++;
  const r = await fetch(base + path, { headers: { Cookie: cookie }, cache: 'no-store' });
  const text = await r.text();
  stats.bytes += text.length;
  if (r.status !== 200) {
    stats.non200++;
    return null;
  }
  return JSON.parse(text);
}

async function signIn() {
  // The page itself first: what a browser fetches when the console is opened (static files from the jar).
  for (const p of ['/', '/console/uPlot.css', '/console/console.css', '/console/uPlot.js', '/console/console.js', '/console/icon.svg']) {
    const r = await fetch(base + p);
    await r.arrayBuffer();
    if (r.status !== 200) throw new Error('GET ' + p + ' answered ' + r.status);
  }
  const r = await fetch(base + '/session', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Authorization: 'Bearer ' + token },
    body: '{}',
  });
  const body = await r.json();
  if (r.status !== 200) throw new Error('sign-in answered ' + r.status + ' ' + JSON.stringify(body));
  const set = typeof r.headers.getSetCookie === 'function' ? r.headers.getSetCookie() : [r.headers.get('set-cookie')];
  const c = set.find((s) => s && s.startsWith('wssguard_session='));
  if (!c) throw new Error('sign-in set no wssguard_session cookie');
  cookie = c.split(';')[0];
  stats.signedIn = true;
  stats.csrfLength = String(body.csrf || '').length;
}

async function tick() {
  stats.ticks++;
  const o = await get('/overview?since=' + lastAt);
  if (o && o.series && o.series.t.length) lastAt = o.series.t[o.series.t.length - 1];
  const e = await get('/events?after=' + eventsAfter);
  if (e) eventsAfter = e.last;
}

(async () => {
  await signIn();
  if (!(await get('/session'))) throw new Error('GET /session refused the cookie');
  let busy = false;
  setInterval(async () => {
    if (busy) return; // as the page: a slow answer skips a tick rather than piling up
    busy = true;
    try {
      await tick();
    } catch (err) {
      stats.errors++;
      stats.lastError = String(err);
    } finally {
      busy = false;
    }
  }, POLL_MS);
})().catch((err) => {
  stats.lastError = String(err);
  console.error('console-poll: ' + err);
  finish(1);
});
