// Renders bench/overhead.sh's results: node bench/overhead-report.js bench/results/<stamp>-overhead
// Reads raw/r<N>__<variant>__<listener>.json (the anchors' wsbench `cpu` output) and the per-thread CPU
// snapshots beside them; writes overhead.json and prints the table that overhead.txt holds.
'use strict';
const fs = require('fs');
const out = process.argv[2];
const dir = out + '/raw';

const runs = {}; // "variant/listener" -> { "r1": result }
const errs = [];
for (const f of fs.readdirSync(dir).filter((x) => x.endsWith('.json') && !x.includes('__poll'))) {
  const stem = f.replace(/\.json$/, '');
  const [rep, v, l] = stem.split('__');
  const r = JSON.parse(fs.readFileSync(dir + '/' + f, 'utf8'));
  r.threads = threadShares(dir + '/' + stem);
  (runs[v + '/' + l] ??= {})[rep] = r;
  if (r.connected < r.params.conns || r.connect_errors || r.errors || r.bad_frames || r.open_at_end < r.params.conns) {
    errs.push(stem + ' ' + JSON.stringify({ connected: r.connected, connect_errors: r.connect_errors, errors: r.errors,
      bad: r.bad_frames, open: r.open_at_end }));
  }
}

// What each thread of the process did over the whole wsbench call, grouped; shares of the total.
function category(name) {
  if (/^wssguard I\/O/.test(name)) return 'relay I/O';
  if (/^wssguard task/.test(name)) return 'relay workers';
  if (/^XNIO-/.test(name)) return 'admin listener';
  if (/^wssguard-consol/.test(name)) return 'console sampler';
  if (/^wssguard-record/.test(name)) return 'record writer';
  if (/^wssguard-fleet|^lettuce|^nioEventLoop|^epollEventLoop/.test(name)) return 'fleet (Redis)';
  if (/Compiler/.test(name)) return 'JIT';
  if (/^VM Thread|^GC |^VM Periodic/.test(name)) return 'GC/VM';
  return 'other';
}
function threadShares(stem) {
  if (!fs.existsSync(stem + '.threads0') || !fs.existsSync(stem + '.threads1')) return null;
  const read = (f) => new Map(fs.readFileSync(f, 'utf8').trim().split('\n').filter(Boolean).map((line) => {
    const [tid, name, ns] = line.split('\t');
    return [tid, { name, ns: Number(ns) || 0 }];
  }));
  const a = read(stem + '.threads0'), b = read(stem + '.threads1');
  const by = {};
  let total = 0;
  for (const [tid, t] of b) {
    const d = t.ns - (a.get(tid)?.ns ?? 0);
    by[category(t.name)] = (by[category(t.name)] ?? 0) + d;
    total += d;
  }
  for (const k of Object.keys(by)) by[k] /= total;
  return by;
}

const us = (r) => r.proxy_us_per_relayed_msg_sched;
const norm = (r) => r.proxy_us_per_relayed_msg_sched / r.backend_us_per_relayed_msg_sched;
const part = (r, cat) => (r.threads ? us(r) * (r.threads[cat] ?? 0) : NaN);
const med = require('./stats').median;
const f2 = (x) => x.toFixed(2);
const pct = (x) => (x >= 1 ? '+' : '') + ((x - 1) * 100).toFixed(1) + '%';
const range = (xs, f = f2) => `[${f(Math.min(...xs))}, ${f(Math.max(...xs))}]`;
const ngx = runs['nginx/nginx']?.r0, ngxTls = runs['nginx/nginxtls']?.r0;
const dur = Object.values(Object.values(runs)[0])[0].params.duration;

console.log(`# proxy CPU per relayed message (us, schedstat), ${dur} s per run; median over repeats [min, max]`);
console.log('# ratio: median(on) / median(off). paired: on/off within each repeat. drift-corrected: the same ratio of');
console.log('#   proxy/backend CPU per message (the Node echo backend does identical work in every run, so it tracks the');
console.log('#   machine\'s speed). I/O thread: the relay I/O thread\'s part of the figure (per-thread schedstat).');
if (ngx) console.log(`nginx plain ${f2(us(ngx))} us, nginx TLS ${f2(us(ngxTls))} us (once, after a warm-up)`);
console.log('');
const pairs = [
  ['policies (plain)', 'base/nopolicy', 'base/plain', ngx],
  ['cluster (plain)', 'base/plain', 'cluster/plain', ngx],
  ['cluster (BoringSSL)', 'base/boring', 'cluster/boring', ngxTls],
  ['recording (plain)', 'base/plain', 'record/plain', ngx],
  ['console open (plain)', 'base/plain', 'console/plain', ngx],
];
const widths = [22, 22, 22, 9, 26, 27, 19, 12, 9];
const row = (...c) => console.log(c.map((x, i) => String(x).padEnd(widths[i] ?? 12)).join(''));
row('feature', 'off us/msg', 'on us/msg', 'ratio', 'paired [min, max]', 'drift-corrected [min,max]', 'I/O thread off→on', '≤ +3%', 'on/nginx');
const json = [];
for (const [name, off, on, anchor] of pairs) {
  if (!runs[off] || !runs[on]) continue;
  const reps = Object.keys(runs[on]).filter((k) => runs[off][k]).sort();
  const R = (key, f) => reps.map((k) => f(runs[key][k]));
  const a = R(off, us), b = R(on, us);
  const paired = reps.map((k) => us(runs[on][k]) / us(runs[off][k]));
  const drift = reps.map((k) => norm(runs[on][k]) / norm(runs[off][k]));
  const ioA = R(off, (r) => part(r, 'relay I/O')), ioB = R(on, (r) => part(r, 'relay I/O'));
  const ratio = med(b) / med(a);
  // met: every estimate within +3%; NOT met: every estimate beyond it; otherwise the run cannot tell.
  const est = [ratio, med(paired), med(drift)];
  const verdict = est.every((x) => x <= 1.03) ? 'met' : est.every((x) => x > 1.03) ? 'NOT met' : 'unresolved';
  row(name, `${f2(med(a))} ${range(a)}`, `${f2(med(b))} ${range(b)}`, pct(ratio), `${pct(med(paired))} ${range(paired, pct)}`,
    `${pct(med(drift))} ${range(drift, pct)}`, `${f2(med(ioA))} → ${f2(med(ioB))}`, verdict,
    anchor ? (med(b) / us(anchor)).toFixed(2) + 'x' : '-');
  json.push({ feature: name, off, on, reps, off_us: a, on_us: b, ratio, paired, drift_corrected: drift, io_thread_off_us: ioA,
    io_thread_on_us: ioB, verdict });
}

console.log('');
console.log('# where each process\'s CPU went: us per relayed message by thread group, median over repeats');
const cats = ['relay I/O', 'relay workers', 'admin listener', 'console sampler', 'record writer', 'fleet (Redis)', 'JIT', 'GC/VM', 'other'];
const cw = [18, 10, 9, 9, 9, 9, 9, 9, 9, 9];
console.log(['run', 'total', 'I/O', 'workers', 'admin', 'sampler', 'record', 'fleet', 'JIT', 'GC/VM', 'other']
  .map((x, i) => x.padEnd(cw[i] ?? 9)).join(''));
for (const [k, byRep] of Object.entries(runs).sort()) {
  const rs = Object.values(byRep).filter((r) => r.threads);
  if (!rs.length) continue;
  console.log([k, f2(med(rs.map(us))), ...cats.map((c) => f2(med(rs.map((r) => part(r, c)))))]
    .map((x, i) => String(x).padEnd(cw[i] ?? 9)).join(''));
}

console.log('');
console.log('# every run: proxy us/msg sched (stat), backend us/msg, echo/s, machine busy % of all cores');
for (const [k, byRep] of Object.entries(runs).sort()) {
  console.log(k.padEnd(16), Object.entries(byRep).sort().map(([rep, r]) =>
    `${rep} ${f2(us(r))} (${f2(r.proxy_us_per_relayed_msg_stat)}) b ${f2(r.backend_us_per_relayed_msg_sched)} ` +
    `${Math.round(r.echo_per_s)}/s ${r.util_pct_of_core.machine_busy_pct_of_all}%`).join(' | '));
}
console.log('');
console.log(errs.length ? 'runs with errors or lost connections:\n' + errs.join('\n') : 'no load-generator errors in any run');
fs.writeFileSync(out + '/overhead.json', JSON.stringify(json, null, 1));
