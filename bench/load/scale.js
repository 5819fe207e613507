#!/usr/bin/env node
// Scale and endurance load (bench/scale.sh): N WebSocket conversations through the proxy, spread round-robin over
// --addrs loopback source addresses, held open for --duration seconds; the first --active share of each worker's
// conversations send --rate messages/s each, and as many direct conversations to the backend send at the same rate
// so the proxy's added latency is read in the same interval. Every --sample seconds the master samples the proxy
// (live heap after a full GC, fds, RSS, CPU, /metrics) and writes one JSON line. Bounded: a watchdog in the master
// and in every worker ends the run at duration + 10 min.
//
//   node scale.js --target 127.0.0.1:9182 --direct 127.0.0.1:9101 --conns 10000 --addrs 100 --duration 600 \
//        --proxy-pid P --backend-pid B --metrics http://127.0.0.1:9190/metrics --out DIR [--tls] [--workers 2]
'use strict';
const { fork, execFile } = require('child_process');
const fs = require('fs');
const http = require('http');
const { performance } = require('perf_hooks');
const W = require('./wsclient');

if (process.env.SCALE_WORKER) worker(JSON.parse(process.env.SCALE_WORKER));
else master(W.parseArgs(process.argv.slice(2))).catch((e) => { console.error(e); process.exit(1); });

// =============================== worker: owns a share of the conversations
function worker(P) {
  setTimeout(() => { console.error('worker watchdog fired'); process.exit(3); }, P.maxSeconds * 1000).unref();
  const proxied = new W.Histogram(), direct = new W.Histogram();
  const conversations = [], actives = [], directs = [];
  let recording = false, connectErrors = 0, lost = 0, excluded = 0;
  const errorKinds = {}; // error text -> count (connect failures and conversations lost later)
  const note = (e) => { errorKinds[e] = (errorKinds[e] || 0) + 1; };

  async function connectAll() {
    // Paced: at most P.connectRate new conversations per second from this worker, in P.lanes parallel lanes.
    let next = 0; const t0 = performance.now();
    const lane = async () => {
      while (next < P.indices.length) {
        const k = next++, i = P.indices[k];
        const due = t0 + (k * 1000) / P.connectRate, wait = due - performance.now();
        if (wait > 0) await new Promise((r) => setTimeout(r, wait));
        const c = await W.openConversation({ ...P.target, tls: P.tls, localAddress: P.src[i % P.src.length], size: P.size });
        if (c.error) { connectErrors++; note('connect: ' + c.error); continue; }
        c.onClose = (x) => { if (!stopping) { lost++; note('lost: ' + (x.error || 'close ' + (x.closeCode ?? 'without close frame'))); } };
        conversations.push(c);
      }
    };
    await Promise.all(Array.from({ length: P.lanes }, lane));
    const nActive = Math.round(conversations.length * P.activeShare);
    for (let k = 0; k < nActive; k++) {
      const c = conversations[k]; c.onEcho = (us) => { if (recording) proxied.record(us); else excluded++; }; actives.push(c);
    }
    for (let k = 0; k < nActive; k++) {
      const c = await W.openConversation({ ...P.direct, localAddress: '127.0.0.1', size: P.size });
      if (c.error) { note('direct: ' + c.error); continue; }
      c.onEcho = (us) => { if (recording) direct.record(us); }; directs.push(c);
    }
  }

  let running = false, stopping = false; const timers = [];
  function start() {
    running = true; recording = true;
    const iv = 1000 / P.rate;
    for (const c of actives.concat(directs)) {
      timers.push(setTimeout(() => { timers.push(setInterval(() => c.send(), iv)); c.send(); }, Math.random() * iv));
    }
  }

  process.on('message', (m) => {
    if (m.cmd === 'start') start();
    else if (m.cmd === 'sample') { // hand over this interval's histograms and pause recording (the master forces a GC)
      recording = false;
      let open = 0, outstanding = 0, bad = 0;
      for (const c of conversations) { if (c.open) open++; bad += c.badFrames; }
      for (const c of actives) outstanding += c.outstanding();
      process.send({ type: 'sample', open, directOpen: directs.filter((c) => c.open).length, connectErrors, lost, bad,
        outstanding, excluded, errorKinds, proxied: proxied.sparse(), direct: direct.sparse() });
      proxied.reset(); direct.reset(); excluded = 0;
    } else if (m.cmd === 'resume') recording = true;
    else if (m.cmd === 'stop') {
      running = false; stopping = true;
      for (const t of timers) { clearTimeout(t); clearInterval(t); }
      for (const c of conversations.concat(directs)) c.close();
      setTimeout(() => process.exit(0), 500);
    }
  });

  connectAll().then(() => process.send({ type: 'connected', ok: conversations.length, connectErrors, active: actives.length,
    direct: directs.length, errorKinds }));
}

// =============================== master: spreads the load, samples the proxy
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const CLK = 100; // USER_HZ on Linux

function procStatus(pid) {
  const st = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (k) => { const m = new RegExp(k + ':\\s+(\\d+)').exec(st); return m ? +m[1] : null; };
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8'); const r = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return { rss_kb: kb('VmRSS'), threads: kb('Threads'), fds: fs.readdirSync(`/proc/${pid}/fd`).length, cpu_s: (+r[11] + +r[12]) / CLK };
}
function run(cmd, args, timeoutMs) {
  return new Promise((resolve) => execFile(cmd, args, { timeout: timeoutMs, maxBuffer: 64 << 20 },
    (err, stdout) => resolve(err ? null : stdout)));
}
async function liveHeap(pid) { // bytes live after a full GC: GC.class_histogram forces one and totals what survived
  const t0 = performance.now();
  const out = await run('jcmd', [String(pid), 'GC.class_histogram'], 120000);
  const m = out && /^Total\s+\d+\s+(\d+)/m.exec(out);
  return { bytes: m ? +m[1] : null, ms: Math.round(performance.now() - t0) };
}
function scrape(url) { // selected wssguard metrics, summed over labels except the ones kept
  return new Promise((resolve) => {
    if (!url) return resolve(null);
    const req = http.get(url, { timeout: 5000 }, (res) => {
      let body = ''; res.setEncoding('utf8'); res.on('data', (d) => { body += d; });
      res.on('end', () => {
        const m = {};
        for (const line of body.split('\n')) {
          const x = /^(wssguard_connections_open|wssguard_accepted_connections|wssguard_connections_refused_total|wssguard_handshakes_total|wssguard_closes_sent_total|wssguard_protocol_violations_total|wssguard_policy_decisions_total|wssguard_backend_up|process_files_open_files|process_files_max_files|jvm_gc_pause_seconds_count)(\{[^}]*\})?\s+(\S+)/.exec(line);
          if (!x) continue;
          const lbl = x[2] || '';
          const key = x[1] === 'wssguard_handshakes_total' || x[1] === 'wssguard_connections_refused_total' || x[1] === 'wssguard_closes_sent_total'
            ? x[1] + (/(outcome|reason|code)="([^"]*)"/.exec(lbl) || ['', '', ''])[2].replace(/^/, '.') : x[1];
          m[key] = (m[key] || 0) + Number(x[3]);
        }
        resolve(m);
      });
    });
    req.on('error', () => resolve(null)); req.on('timeout', () => { req.destroy(); resolve(null); });
  });
}

async function master(A) {
  const target = W.loopbackTarget(A.target), direct = W.loopbackTarget(A.direct);
  const conns = +(A.conns ?? 10000), addrs = +(A.addrs ?? 100), duration = +(A.duration ?? 1800), sampleS = +(A.sample ?? 60);
  const workers = +(A.workers ?? 2), activeShare = +(A.active ?? 0.01), rate = +(A.rate ?? 10), size = +(A.size ?? 128);
  const connectRate = +(A['connect-rate'] ?? 500), out = A.out;
  const proxyPid = +A['proxy-pid'], backendPid = A['backend-pid'] ? +A['backend-pid'] : null;
  if (!out || !proxyPid) throw new Error('--out and --proxy-pid are required');
  fs.mkdirSync(out, { recursive: true });
  const src = W.sourceAddresses(A['src-base'] || '127.0.1.1', addrs);
  const maxSeconds = duration + 600;
  const params = { target: A.target, tls: !!A.tls, direct: A.direct, conns, addrs, srcFirst: src[0], srcLast: src[src.length - 1],
    duration, sampleS, workers, activeShare, rate, size, connectRate, proxyPid, backendPid };
  fs.writeFileSync(`${out}/params.json`, JSON.stringify(params, null, 1));
  const ws = [];
  const hardStop = setTimeout(() => { console.error('master watchdog: aborting'); for (const w of ws) w.kill('SIGKILL'); process.exit(4); }, (maxSeconds + 30) * 1000);

  const samplesFile = fs.openSync(`${out}/samples.jsonl`, 'w');
  const print = (s) => console.log(`[scale ${new Date().toISOString().slice(11, 19)}] ${s}`);
  const metrics = A.metrics;

  // baseline: the proxy before any conversation (after a full GC)
  const heap0 = await liveHeap(proxyPid), p0 = procStatus(proxyPid), b0 = backendPid ? procStatus(backendPid) : null, m0 = await scrape(metrics);
  const base = { t: 0, phase: 'baseline', heap_live_bytes: heap0.bytes, proxy: p0, backend: b0, metrics: m0 };
  fs.writeSync(samplesFile, JSON.stringify(base) + '\n');
  print(`baseline: live heap ${(heap0.bytes / 1048576).toFixed(1)} MiB, fds ${p0.fds}, RSS ${(p0.rss_kb / 1024).toFixed(1)} MiB`);

  // spread conversation indices over the workers (interleaved, so every worker covers every source address)
  for (let w = 0; w < workers; w++) {
    const indices = []; for (let i = w; i < conns; i += workers) indices.push(i);
    const wp = { target, direct, tls: !!A.tls, indices, src, activeShare, rate, size, maxSeconds,
      connectRate: connectRate / workers, lanes: +(A.lanes ?? 64) };
    ws.push(fork(__filename, [], { env: { ...process.env, SCALE_WORKER: JSON.stringify(wp) }, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] }));
  }
  const ask = (type, cmd) => Promise.all(ws.map((w) => new Promise((resolve) => {
    const done = (m) => { w.off('message', h); w.off('exit', dead); resolve(m); };
    const h = (m) => { if (m.type === type) done(m); };
    const dead = () => done({ type, dead: true });
    w.on('message', h); w.once('exit', dead);
    if (cmd) w.send({ cmd });
  })));
  const tc0 = performance.now();
  const conn = await ask('connected');
  const connected = conn.reduce((s, m) => s + (m.ok || 0), 0);
  const connectS = (performance.now() - tc0) / 1000;
  const mergeKinds = (ms) => { const k = {}; for (const m of ms) for (const [e, n] of Object.entries(m.errorKinds || {})) k[e] = (k[e] || 0) + n; return k; };
  print(`connected ${connected}/${conns} in ${connectS.toFixed(1)} s (${(connected / connectS).toFixed(0)}/s); active ${conn.reduce((s, m) => s + (m.active || 0), 0)}, direct ${conn.reduce((s, m) => s + (m.direct || 0), 0)}; errors ${JSON.stringify(mergeKinds(conn))}`);

  ws.forEach((w) => w.send({ cmd: 'start' }));
  const t0 = performance.now(); const samples = [];
  const totalProxied = new W.Histogram(), totalDirect = new W.Histogram();
  let prevCpu = procStatus(proxyPid).cpu_s, prevT = t0;
  for (let k = 1; k * sampleS <= duration; k++) {
    await sleep(Math.max(0, t0 + k * sampleS * 1000 - performance.now()));
    const reps = await ask('sample', 'sample');
    const hp = new W.Histogram(), hd = new W.Histogram();
    for (const r of reps) { hp.add(r.proxied || []); hd.add(r.direct || []); }
    totalProxied.add(hp.sparse()); totalDirect.add(hd.sparse());
    const heap = await liveHeap(proxyPid); // a full GC: latency recording is paused around it
    const p = procStatus(proxyPid), b = backendPid ? procStatus(backendPid) : null, m = await scrape(metrics);
    const now = performance.now();
    const sum = (key) => reps.reduce((s, r) => s + (r[key] || 0), 0);
    const lp = hp.summary(), ld = hd.summary();
    const s = { t: Math.round((now - t0) / 1000), minute: +(k * sampleS / 60).toFixed(2), open: sum('open'), direct_open: sum('directOpen'),
      connect_errors: sum('connectErrors'), lost: sum('lost'), bad_frames: sum('bad'), outstanding: sum('outstanding'),
      errors: mergeKinds(reps), heap_live_bytes: heap.bytes, gc_ms: heap.ms, proxy: p, backend: b,
      proxy_cpu_pct: +(100 * (p.cpu_s - prevCpu) / ((now - prevT) / 1000)).toFixed(1),
      latency_us: { proxied: lp, direct: ld, added_p50: lp.p50 != null && ld.p50 != null ? lp.p50 - ld.p50 : null,
        added_p99: lp.p99 != null && ld.p99 != null ? lp.p99 - ld.p99 : null, excluded_around_gc: sum('excluded') },
      metrics: m, loadavg: fs.readFileSync('/proc/loadavg', 'utf8').trim() };
    prevCpu = p.cpu_s; prevT = now;
    samples.push(s);
    fs.writeSync(samplesFile, JSON.stringify(s) + '\n');
    print(`min ${s.minute}: open ${s.open} lost ${s.lost} heap ${(s.heap_live_bytes / 1048576).toFixed(1)} MiB (GC ${s.gc_ms} ms) ` +
      `fds ${p.fds} RSS ${(p.rss_kb / 1024).toFixed(1)} MiB cpu ${s.proxy_cpu_pct}% | p50/p99 proxied ${lp.p50}/${lp.p99} µs, direct ${ld.p50}/${ld.p99} µs | load ${s.loadavg.split(' ')[0]}`);
    await sleep(1000);
    ws.forEach((w) => { try { w.send({ cmd: 'resume' }); } catch { /* dead worker: counted in open */ } });
  }
  ws.forEach((w) => { try { w.send({ cmd: 'stop' }); } catch { /* already gone */ } });
  await Promise.all(ws.map((w) => new Promise((r) => { if (w.exitCode !== null) return r(); w.on('exit', r); setTimeout(() => { w.kill('SIGKILL'); r(); }, 5000); })));
  clearTimeout(hardStop);
  fs.closeSync(samplesFile);

  const summary = summarize(params, base, connected, connectS, samples, totalProxied, totalDirect, mergeKinds(conn));
  fs.writeFileSync(`${out}/summary.json`, JSON.stringify(summary, null, 1));
  fs.writeFileSync(`${out}/summary.txt`, summary.text.join('\n') + '\n');
  console.log(summary.text.join('\n'));
  process.exit(summary.ok ? 0 : 1);
}

// Flatness: each later sample against the first sample at or after minute `from`, as the largest relative deviation.
function flatness(samples, get, fromMinute) {
  const xs = samples.filter((s) => s.minute >= fromMinute && get(s) != null);
  if (xs.length < 2) return null;
  const ref = get(xs[0]); let worst = 0;
  for (const s of xs) worst = Math.max(worst, Math.abs(get(s) - ref) / ref);
  return { from_minute: xs[0].minute, to_minute: xs[xs.length - 1].minute, first: ref, last: get(xs[xs.length - 1]),
    max_deviation_pct: +(100 * worst).toFixed(2), end_change_pct: +(100 * (get(xs[xs.length - 1]) - ref) / ref).toFixed(2) };
}

function summarize(params, base, connected, connectS, samples, hp, hd, connectKinds) {
  const last = samples[samples.length - 1] || {};
  const from = Math.min(5, Math.max(0, (last.minute || 0) / 2)); // minute 5, or the run's middle when shorter than 10 min
  const open = last.open ?? 0;
  const heapFlat = flatness(samples, (s) => s.heap_live_bytes, from);
  const fdFlat = flatness(samples, (s) => s.proxy.fds, from);
  const rssFlat = flatness(samples, (s) => s.proxy.rss_kb, from);
  const rssPer = open ? Math.round((last.proxy.rss_kb - base.proxy.rss_kb) * 1024 / open) : null;
  const heapPer = open && last.heap_live_bytes ? Math.round((last.heap_live_bytes - base.heap_live_bytes) / open) : null;
  const backendRssPer = open && base.backend && last.backend ? Math.round((last.backend.rss_kb - base.backend.rss_kb) * 1024 / open) : null;
  const lp = hp.summary(), ld = hd.summary();
  const errors = (params.conns - connected) + (last.lost || 0) + (last.bad_frames || 0);
  const refused = last.metrics ? Object.entries(last.metrics).filter(([k]) => k.startsWith('wssguard_connections_refused_total.')) : [];
  // Refusals at accept for capacity are wssguard keeping its descriptor budget (limits.maxConnections): expected when
  // N is above what the process's nofile limit holds (scale.sh STRICT=0), so they are told apart from other errors.
  const capacity = last.metrics?.['wssguard_connections_refused_total.capacity'] || 0;
  const unexplained = Math.max(0, errors - capacity);
  const withinFlat = (f) => f && f.max_deviation_pct <= 5;
  const ok = unexplained === 0 && withinFlat(heapFlat) && withinFlat(fdFlat);
  const fmt = (f, unit, div = 1) => (f ? `${(f.first / div).toFixed(1)} -> ${(f.last / div).toFixed(1)} ${unit} (minute ${f.from_minute} -> ${f.to_minute}: ` +
    `max deviation ${f.max_deviation_pct}%, end ${f.end_change_pct > 0 ? '+' : ''}${f.end_change_pct}%) ${f.max_deviation_pct <= 5 ? 'within' : 'OUTSIDE'} ±5%` : 'n/a (too few samples)');
  const text = [
    `# scale: ${params.conns} conversations ${params.tls ? '(TLS)' : '(plain)'} from ${params.addrs} source addresses ` +
      `(${params.srcFirst}..${params.srcLast}), ${Math.round(params.activeShare * 100)}% active at ${params.rate} msg/s, ${params.duration / 60} min`,
    `connected:        ${connected}/${params.conns} in ${connectS.toFixed(1)} s; open at the end ${open}`,
    `errors:           ${errors} (connect failures ${params.conns - connected}, lost later ${last.lost || 0}, bad frames ${last.bad_frames || 0})` +
      `${Object.keys(last.errors || connectKinds).length ? ' ' + JSON.stringify(last.errors || connectKinds) : ''}`,
    `refused by proxy: ${refused.length ? refused.map(([k, v]) => `${k.split('.')[1]} ${v}`).join(', ') : 'none'}`,
    `live heap:        ${fmt(heapFlat, 'MiB', 1048576)}`,
    `open fds:         ${fmt(fdFlat, '')}`,
    `RSS:              ${fmt(rssFlat, 'MiB', 1024)}`,
    `per conversation: RSS ${rssPer} B, live heap ${heapPer} B (proxy, vs its baseline before any connection); backend RSS ${backendRssPer} B`,
    `latency (µs):     proxied p50 ${lp.p50} p99 ${lp.p99} p99.9 ${lp.p999} max ${lp.max} (n=${lp.count}); direct p50 ${ld.p50} p99 ${ld.p99} (n=${ld.count})`,
    `added latency:    p50 +${lp.p50 != null && ld.p50 != null ? lp.p50 - ld.p50 : '?'} µs, p99 +${lp.p99 != null && ld.p99 != null ? lp.p99 - ld.p99 : '?'} µs ` +
      `(full-GC sampling windows excluded)`,
    `proxy CPU:        mean ${(samples.reduce((s, x) => s + x.proxy_cpu_pct, 0) / Math.max(1, samples.length)).toFixed(1)}% of one core`,
    `result:           ${ok ? 'PASS' : 'FAIL'} (errors other than capacity refusals: ${unexplained}; heap and fds within ±5% from minute ${from})`,
  ];
  return { ok, params, connected, connect_s: connectS, open_at_end: open, errors, refused_for_capacity: capacity, errors_unexplained: unexplained, heap_flatness: heapFlat, fd_flatness: fdFlat,
    rss_flatness: rssFlat, rss_bytes_per_conversation: rssPer, heap_bytes_per_conversation: heapPer, backend_rss_bytes_per_conversation: backendRssPer,
    latency_us: { proxied: lp, direct: ld }, refused: Object.fromEntries(refused), text };
}
