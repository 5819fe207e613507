#!/usr/bin/env node
// Handshake flood (bench/flood.sh): while --established conversations exchange messages through a TLS proxy, a
// flood of TLS handshakes, each followed by a WebSocket upgrade request, comes from --flood-addrs source addresses
// for --flood seconds, as fast as --flood-workers processes with --flood-par loops each can go. Meanwhile --good-addrs
// well-behaved clients each open one new conversation a second (TLS, upgrade, one echoed message, close).
//
// The flood goes beyond every address's per-IP budget whatever rate the generator reaches: it takes the addresses in
// turn and makes --per-addr attempts from each in a row (more than the budget's burst), --flood-par at a time.
// Phases: warm-up (not recorded), --base seconds without the flood, the flood, --after seconds without it.
// Reports per phase: the established conversations' latency, the well-behaved clients' success rate and time to
// the echo, and the flood's outcomes (101, 429, 503, other statuses, closed before an answer, errors).
// Bounded: watchdogs in the master and every worker; each socket has a 10 s timeout.
'use strict';
const { fork } = require('child_process');
const fs = require('fs');
const { performance, monitorEventLoopDelay } = require('perf_hooks');
const W = require('./wsclient');

const ROLE = process.env.FLOOD_ROLE;
if (ROLE === 'flood') floodWorker(JSON.parse(process.env.FLOOD_PARAMS));
else if (ROLE === 'steady') steadyWorker(JSON.parse(process.env.FLOOD_PARAMS));
else master(W.parseArgs(process.argv.slice(2))).catch((e) => { console.error(e); process.exit(1); });

function watchdog(seconds) {
  setTimeout(() => { console.error(`${ROLE} watchdog fired`); process.exit(3); }, seconds * 1000).unref();
}

// =============================== flood worker
function floodWorker(P) {
  watchdog(P.maxSeconds);
  // Lower than the measured clients, proxy and backend (--flood-nice more): on a machine whose cores they share, the
  // flood then takes the CPU they leave rather than queueing the measurement behind the generator.
  if (P.nice) require('os').setPriority(Math.min(19, require('os').getPriority() + P.nice));
  let on = false, t0 = 0, loops = 0, seq = 0;
  const outcomes = {};
  const count = (k) => { outcomes[k] = (outcomes[k] || 0) + 1; };
  const mine = P.src.filter((_, i) => i % P.workers === P.index); // disjoint shares of the address pool
  function address() { // each address in turn gets P.perAddr attempts in a row: beyond its per-IP budget
    return mine[Math.floor(seq++ / P.perAddr) % mine.length];
  }
  function attempt() {
    if (!on) { loops--; return; }
    const s = W.dial({ ...P.target, tls: true, localAddress: address() });
    let head = '', settled = false;
    const next = (k) => {
      if (settled) return; settled = true; count(k); s.destroy();
      setImmediate(() => attempt());
    };
    s.setTimeout(10000, () => next('timeout'));
    s.once('secureConnect', () => s.write(W.upgradeRequest('/', `${P.target.host}:${P.target.port}`)));
    s.on('data', (d) => {
      head += d.toString('latin1');
      const i = head.indexOf('\r\n');
      if (i >= 0) next('status ' + head.slice(9, 12));
    });
    let secured = false;
    s.once('secureConnect', () => { secured = true; });
    s.on('error', (e) => next((secured ? 'error after TLS: ' : 'error before TLS: ') + (e.code || e.message)));
    s.on('close', () => next(secured ? 'closed after TLS, no answer' : 'closed before TLS'));
  }
  process.on('message', (m) => {
    if (m.cmd === 'start') { on = true; t0 = performance.now(); for (let i = 0; i < P.par; i++) { loops++; attempt(); } }
    else if (m.cmd === 'stop') {
      on = false;
      const wait = () => (loops > 0 ? setTimeout(wait, 20) : process.send({ type: 'flood', outcomes, seconds: (performance.now() - t0) / 1000, addresses: Math.min(mine.length, Math.ceil(seq / P.perAddr)) }));
      wait();
    } else if (m.cmd === 'exit') process.exit(0);
  });
  process.send({ type: 'ready' });
}

// =============================== steady worker: the established conversations and the well-behaved new clients
function steadyWorker(P) {
  watchdog(P.maxSeconds);
  const est = [];
  let phase = 'warmup', lost = 0, stopping = false;
  const phases = {}; // name -> {lat: Histogram, good: {...}, goodLat: Histogram, loopDelayP99Ms}
  const cur = () => phases[phase] || (phases[phase] = { lat: new W.Histogram(), goodLat: new W.Histogram(), good: { tried: 0, ok: 0, failed: {} } });
  // This process's own event-loop delay: when it is high, the latencies above include the load generator's queueing.
  const loop = monitorEventLoopDelay({ resolution: 10 }); loop.enable();

  async function openEstablished() {
    let next = 0; const t0 = performance.now();
    const lane = async () => {
      while (next < P.established) {
        const k = next++;
        const due = t0 + (k * 1000) / P.connectRate, wait = due - performance.now();
        if (wait > 0) await new Promise((r) => setTimeout(r, wait));
        const c = await W.openConversation({ ...P.target, tls: true, localAddress: P.estSrc[k % P.estSrc.length], size: P.size });
        if (c.error) { lost++; continue; }
        c.onEcho = (us) => cur().lat.record(us);
        c.onClose = () => { if (!stopping) lost++; };
        est.push(c);
      }
    };
    await Promise.all(Array.from({ length: 32 }, lane));
  }

  async function goodClient(addr) { // one new conversation: TLS, upgrade, one echo, close; success within 5 s
    const ph = cur(); ph.good.tried++;
    const t0 = performance.now();
    const fail = (why) => { ph.good.failed[why] = (ph.good.failed[why] || 0) + 1; };
    const c = await W.openConversation({ ...P.target, tls: true, localAddress: addr, size: P.size, timeoutMs: 5000 });
    if (c.error) { fail(c.error); return; }
    const echoed = await new Promise((resolve) => {
      const timer = setTimeout(() => resolve(false), Math.max(1, 5000 - (performance.now() - t0)));
      c.onEcho = () => { clearTimeout(timer); resolve(true); };
      c.onClose = () => { clearTimeout(timer); resolve(false); };
      c.send();
    });
    c.close();
    if (echoed) { ph.good.ok++; ph.goodLat.record((performance.now() - t0) * 1000); } else fail('no echo within 5 s');
  }

  const timers = [];
  function startTraffic() {
    const iv = 1000 / P.rate;
    for (const c of est) timers.push(setTimeout(() => { timers.push(setInterval(() => c.send(), iv)); c.send(); }, Math.random() * iv));
    P.goodSrc.forEach((addr, i) => timers.push(setTimeout(() => {
      timers.push(setInterval(() => { goodClient(addr); }, 1000)); goodClient(addr);
    }, (i * 1000) / P.goodSrc.length)));
  }

  process.on('message', (m) => {
    if (m.cmd === 'phase') { cur().loopDelayP99Ms = +(loop.percentile(99) / 1e6).toFixed(1); loop.reset(); phase = m.name; }
    else if (m.cmd === 'report') {
      stopping = true;
      for (const t of timers) { clearTimeout(t); clearInterval(t); }
      setTimeout(() => { // let the last well-behaved clients finish
        const out = {};
        for (const [name, p] of Object.entries(phases)) out[name] = { lat: p.lat.sparse(), goodLat: p.goodLat.sparse(), good: p.good, loopDelayP99Ms: p.loopDelayP99Ms };
        process.send({ type: 'steady', phases: out, lost, open: est.filter((c) => c.open).length });
        for (const c of est) c.close();
      }, 5500);
    } else if (m.cmd === 'exit') process.exit(0);
  });

  openEstablished().then(() => { process.send({ type: 'ready', established: est.length, lost }); startTraffic(); });
}

// =============================== master
function cpuSeconds(pid) { // the process and its descendants (nginx's workers), user + system
  const procs = [];
  for (const d of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try { const s = fs.readFileSync(`/proc/${d}/stat`, 'utf8'); const r = s.slice(s.lastIndexOf(')') + 2).split(' '); procs.push({ pid: +d, ppid: +r[1], cpu: +r[11] + +r[12] }); } catch { /* gone */ }
  }
  const set = new Set([pid]); let grew = true;
  while (grew) { grew = false; for (const p of procs) if (set.has(p.ppid) && !set.has(p.pid)) { set.add(p.pid); grew = true; } }
  return procs.filter((p) => set.has(p.pid)).reduce((s, p) => s + p.cpu, 0) / 100;
}

async function master(A) {
  const target = W.loopbackTarget(A.target);
  const established = +(A.established ?? 1000), rate = +(A.rate ?? 2), size = +(A.size ?? 128);
  const warm = +(A.warm ?? 30), base = +(A.base ?? 30), flood = +(A.flood ?? 60), after = +(A.after ?? 15);
  const floodWorkers = +(A['flood-workers'] ?? 2), par = +(A['flood-par'] ?? 64), floodNice = +(A['flood-nice'] ?? 5);
  const perAddr = +(A['per-addr'] ?? 20);
  const estSrc = W.sourceAddresses(A['est-base'] || '127.0.2.1', +(A['est-addrs'] ?? 200));
  const goodSrc = W.sourceAddresses(A['good-base'] || '127.0.3.1', +(A['good-addrs'] ?? 20));
  const floodSrc = W.sourceAddresses(A['flood-base'] || '127.1.0.1', +(A['flood-addrs'] ?? 1000));
  const maxSeconds = warm + base + flood + after + 300;
  const params = { name: A.name || A.target, target: A.target, established, rate, size, warm, base, flood, after, floodWorkers, par, perAddr, floodNice,
    estAddrs: estSrc.length, goodAddrs: goodSrc.length, floodAddrs: floodSrc.length, floodFirst: floodSrc[0], floodLast: floodSrc[floodSrc.length - 1] };
  const kids = [];
  const hardStop = setTimeout(() => { console.error('master watchdog: aborting'); for (const k of kids) k.kill('SIGKILL'); process.exit(4); }, (maxSeconds + 30) * 1000);
  const print = (s) => console.log(`[flood ${params.name} ${new Date().toISOString().slice(11, 19)}] ${s}`);
  const spawn = (role, p) => { const k = fork(__filename, [], { env: { ...process.env, FLOOD_ROLE: role, FLOOD_PARAMS: JSON.stringify({ ...p, maxSeconds }) }, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] }); kids.push(k); return k; };
  const next = (k, type) => new Promise((resolve) => {
    const h = (m) => { if (m.type === type) { k.off('message', h); resolve(m); } };
    k.on('message', h); k.once('exit', () => resolve({ type, dead: true }));
  });
  const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

  const steady = spawn('steady', { target, established, rate, size, estSrc, goodSrc, connectRate: +(A['connect-rate'] ?? 200) });
  const floods = [];
  for (let i = 0; i < floodWorkers; i++) {
    floods.push(spawn('flood', { target, src: floodSrc, perAddr, par, index: i, workers: floodWorkers, nice: floodNice }));
  }
  const warmSrc = W.sourceAddresses(A['warm-base'] || '127.2.0.1', 1000);
  const warmers = [];
  for (let i = 0; i < floodWorkers; i++) warmers.push(spawn('flood', { target, src: warmSrc, perAddr, par, index: i, workers: floodWorkers, nice: floodNice }));
  const ready = await next(steady, 'ready');
  await Promise.all(warmers.map((k) => next(k, 'ready')));
  await Promise.all(floods.map((k) => next(k, 'ready')));
  print(`established ${ready.established}/${established} (failed ${ready.lost}); warm-up ${warm} s, no flood ${base} s, flood ${flood} s, after ${after} s`);
  const proxyPid = A['proxy-pid'] ? +A['proxy-pid'] : null, backendPid = A['backend-pid'] ? +A['backend-pid'] : null;
  const cpu = {}, bcpu = {}; let cpuMark = null;
  const phase = (name) => {
    const now = performance.now(), c = proxyPid ? cpuSeconds(proxyPid) : 0, b = backendPid ? cpuSeconds(backendPid) : 0;
    if (cpuMark) {
      const s = (now - cpuMark.t) / 1000;
      cpu[cpuMark.name] = +(100 * (c - cpuMark.c) / s).toFixed(1); bcpu[cpuMark.name] = +(100 * (b - cpuMark.b) / s).toFixed(1);
    }
    cpuMark = { name, c, b, t: now };
    steady.send({ cmd: 'phase', name });
  };
  const warmFlood = Math.min(+(A['warm-flood'] ?? 10), warm);
  await sleep((warm - warmFlood) * 1000);
  if (warmFlood > 0) { // from the warm-up workers' own addresses, so the measured flood's addresses start with clean budgets
    const wf = await Promise.all(warmers.map((k) => { const r = next(k, 'flood'); k.send({ cmd: 'start' }); return r; }).map(async (r, i) => {
      await sleep(warmFlood * 1000); warmers[i].send({ cmd: 'stop' }); return r; }));
    print(`warm-up flood ${warmFlood} s: ${wf.reduce((n, r) => n + Object.values(r.outcomes || {}).reduce((a, b) => a + b, 0), 0)} attempts`);
    await sleep(2000);
  }
  phase('base'); await sleep(base * 1000);
  phase('flood'); floods.forEach((k) => k.send({ cmd: 'start' }));
  await sleep(flood * 1000);
  const floodReps = Promise.all(floods.map((k) => next(k, 'flood')));
  floods.forEach((k) => k.send({ cmd: 'stop' }));
  phase('after');
  const fr = await floodReps;
  await sleep(after * 1000);
  phase('end');
  const stReport = next(steady, 'steady'); steady.send({ cmd: 'report' });
  const st = await stReport;
  kids.forEach((k) => { try { k.send({ cmd: 'exit' }); } catch { /* gone */ } });
  await Promise.all(kids.map((k) => new Promise((r) => { if (k.exitCode !== null) return r(); k.on('exit', r); setTimeout(() => { k.kill('SIGKILL'); r(); }, 5000); })));
  clearTimeout(hardStop);

  const outcomes = {}; let attempts = 0; const addressesUsed = fr.reduce((n, r) => n + (r.addresses || 0), 0);
  for (const r of fr) for (const [k, v] of Object.entries(r.outcomes || {})) { outcomes[k] = (outcomes[k] || 0) + v; attempts += v; }
  const floodSeconds = Math.max(...fr.map((r) => r.seconds || flood));
  const res = { params, established: ready.established, lost: st.lost, open_at_end: st.open, phases: {},
    flood: { attempts, per_s: +(attempts / floodSeconds).toFixed(1), addresses: addressesUsed, outcomes } };
  for (const [name, p] of Object.entries(st.phases || {})) {
    if (name === 'warmup' || name === 'end') continue;
    const lat = new W.Histogram(); lat.add(p.lat); const gl = new W.Histogram(); gl.add(p.goodLat);
    res.phases[name] = { established_latency_us: lat.summary(), generator_loop_delay_p99_ms: p.loopDelayP99Ms, good: { ...p.good, success_pct: p.good.tried ? +(100 * p.good.ok / p.good.tried).toFixed(2) : null,
      time_to_echo_us: gl.summary() } };
  }
  const b = res.phases.base?.established_latency_us, f = res.phases.flood?.established_latency_us;
  for (const [name, pct] of Object.entries(cpu)) if (res.phases[name]) { res.phases[name].proxy_cpu_pct_of_one_core = pct; res.phases[name].backend_cpu_pct_of_one_core = bcpu[name]; }
  res.p99_ratio_flood_vs_base = b?.p99 && f?.p99 ? +(f.p99 / b.p99).toFixed(2) : null;
  if (A.out) fs.writeFileSync(A.out, JSON.stringify(res, null, 1));
  for (const [name, p] of Object.entries(res.phases)) {
    const l = p.established_latency_us, g = p.good;
    print(`${name.padEnd(5)}: established p50 ${l.p50} p99 ${l.p99} p99.9 ${l.p999} µs (n=${l.count}); well-behaved ${g.ok}/${g.tried} = ${g.success_pct}% ` +
      `(time to echo p50 ${g.time_to_echo_us.p50} p99 ${g.time_to_echo_us.p99} µs); CPU proxy ${p.proxy_cpu_pct_of_one_core}% backend ${p.backend_cpu_pct_of_one_core}%; generator loop delay p99 ${p.generator_loop_delay_p99_ms} ms${Object.keys(g.failed).length ? ' failed ' + JSON.stringify(g.failed) : ''}`);
  }
  print(`flood: ${attempts} attempts, ${res.flood.per_s}/s from ${addressesUsed} addresses: ${JSON.stringify(outcomes)}`);
  print(`established p99 flood/base = ${res.p99_ratio_flood_vs_base}; lost established ${st.lost}, open at end ${st.open}`);
}
