#!/usr/bin/env node
// Renders bench/ab.sh's results: node bench/ab-report.js DIR [cpu|tlshs] (DIR holds raw/run-<i>-<A|B>.json).
'use strict';
const fs = require('fs');
const [dir, test = 'cpu'] = process.argv.slice(2);
const runs = fs.readdirSync(`${dir}/raw`).filter((f) => f.startsWith('run-')).map((f) => {
  const r = JSON.parse(fs.readFileSync(`${dir}/raw/${f}`, 'utf8')); const jar = f.split('-')[2][0];
  const cpu = test === 'tlshs' ? r.proxy_cpu_us_per_handshake_sched : r.proxy_us_per_relayed_msg_sched;
  const norm = r.proxy_cpu.sched_s / r.client_cpu.sched_s;
  return { f, jar, cpu, norm };
});
const med = require('./stats').median;
const unit = test === 'tlshs' ? 'us/handshake' : 'us/msg';
const out = [];
for (const j of ['A', 'B']) {
  const rs = runs.filter((r) => r.jar === j);
  out.push(`${j}: proxy ${rs.map((r) => r.cpu.toFixed(2)).join(' ')} ${unit} (median ${med(rs.map((r) => r.cpu)).toFixed(2)}); ` +
    `proxy/load-generator CPU ${rs.map((r) => r.norm.toFixed(3)).join(' ')} (median ${med(rs.map((r) => r.norm)).toFixed(3)})`);
}
const a = runs.filter((r) => r.jar === 'A'), b = runs.filter((r) => r.jar === 'B');
out.push(`B vs A: ${((med(b.map((r) => r.cpu)) / med(a.map((r) => r.cpu)) - 1) * 100).toFixed(1)}% on the medians, ` +
  `${((med(b.map((r) => r.norm)) / med(a.map((r) => r.norm)) - 1) * 100).toFixed(1)}% normalised`);
console.log(out.join('\n'));
