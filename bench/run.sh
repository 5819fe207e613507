#!/usr/bin/env bash
# wssguard side by side with nginx and HAProxy, on the neutral harness in ../shared/anchors (see BENCHMARKS.md).
#
#   bench/run.sh          # all: cpu, latency, tlshs on one wssguard process, then idle (fresh process per listener),
#                         #      then live heap per idle connection after a full GC
#   bench/run.sh main     # only the SINGLE_TESTS pass (idle, if listed, is measured on the long-running process)
#   bench/run.sh idle     # only the idle passes (fresh wssguard per listener) and the heap step
#   bench/run.sh heap     # only the live-heap step
#   bench/run.sh resume   # CPU per TLS 1.3 handshake, full and resumed with a session ticket, nginx beside wssguard
#                         # (bench/tlsresume.js; RESUME_REPEATS default 2, RESUME_WARMUP 3 s, RESUME_DUR 8 s, RESUME_PAR 32)
#   QUICK=1 bench/run.sh  # smoke run (~3 min)
#
# Every harness knob passes through the environment (SIZE CPU_CONNS CPU_RATE CPU_DUR LAT_CONNS LAT_RATE LAT_DUR
# LAT_REPEATS IDLE_N HS_PAR HS_DUR WORKERS VARIANTS SINGLE_TESTS MULTI_TESTS ...; see ../shared/anchors/README.md).
# Own knobs: ANCHORS_DIR, JVM_OPTS, WSSGUARD_IO_THREADS (default 1), HEAP_N (default IDLE_N), CONFIG (the
# wssguard config; bench/wssguard-bench-cluster.yaml measures the fleet on, see BENCHMARKS.md "Fleet"), WSSGUARD_JAR
# (another build to compare), WSSGUARD_ENV (NAME=value ... for the wssguard process only: another malloc, say).
# Loopback only; every load is bounded by the harness (per-run durations, watchdogs, timeout).
set -euo pipefail

BENCH=$(cd "$(dirname "$(readlink -f "$0")")" && pwd)
REPO=$(cd "$BENCH/.." && pwd)
# shellcheck source=bench/lib.sh
. "$BENCH/lib.sh"
MODE=${1:-all}
case $MODE in all|main|idle|heap|resume) ;; *) echo "usage: bench/run.sh [all|main|idle|heap|resume]" >&2; exit 2;; esac

CONFIG=${CONFIG:-$BENCH/wssguard-bench.yaml}   # bench/wssguard-bench-cluster.yaml: the fleet on
WSSGUARD_IO_THREADS=${WSSGUARD_IO_THREADS:-1}
# The heap is fixed, as the packages will ship it, so RSS is not a function of heap growth policy.
# SerialGC: one core per proxy process here, and no concurrent GC threads competing with the one I/O thread.
JVM_OPTS=${JVM_OPTS:-"-Xms256m -Xmx256m -XX:+UseSerialGC"}
export VARIANTS=${VARIANTS:-single}
export SINGLE_TESTS=${SINGLE_TESTS:-"cpu latency idle tlshs"}
IDLE_N_EFF=${IDLE_N:-5000}; [ "${QUICK:-0}" = 1 ] && IDLE_N_EFF=1000
HEAP_N=${HEAP_N:-$IDLE_N_EFF}
STAMP=$(date -u +%Y%m%dT%H%M%SZ)
OUT=$BENCH/results/$STAMP
LOG=$WORK/wssguard.log

# ---------------------------------------------------------------- prerequisites
ulimit -n "$(ulimit -Hn)"   # 2 fds per proxied connection
bench_prepare
need_tool nginx; need_tool haproxy

# ---------------------------------------------------------------- wssguard process
WSS_PID=""; ECHO_PID=""; NGINX_PID=""
cleanup() { stop_pid "$WSS_PID"; WSS_PID=""; stop_pid "$ECHO_PID"; ECHO_PID=""; stop_pid "$NGINX_PID"; NGINX_PID=""; }
trap cleanup EXIT
trap 'exit 130' INT TERM
start_wssguard() { # [extra JVM options]
  local extra=${1:-}
  # shellcheck disable=SC2086
  env ${WSSGUARD_ENV:-} java $JVM_OPTS $extra -Dwssguard.ioThreads="$WSSGUARD_IO_THREADS" -jar "$JAR" run --config "$CONFIG" >>"$LOG" 2>&1 &
  WSS_PID=$!
  wait_port 9082 127.0.0.1 "$LOG"; wait_port 9083 127.0.0.2 "$LOG"; wait_port 9445 127.0.0.1 "$LOG"; wait_port 9446 127.0.0.1 "$LOG"
  sleep 0.5
  log "wssguard pid $WSS_PID (${WSSGUARD_ENV:+$WSSGUARD_ENV }$JVM_OPTS $extra -Dwssguard.ioThreads=$WSSGUARD_IO_THREADS)"
}
restart_wssguard() { stop_pid "$WSS_PID"; WSS_PID=""; start_wssguard "${1:-}"; }

extra_targets() { # [listener ...]: name,host:port,tls,pid for the harness
  local out="" l
  for l in "$@"; do
    case $l in
      plain)  out="$out;wssguard-plain,127.0.0.1:9082,0,$WSS_PID" ;;
      nopolicy) out="$out;wssguard-plain-nopolicy,127.0.0.2:9083,0,$WSS_PID" ;;
      boring) out="$out;wssguard-tls,127.0.0.1:9445,1,$WSS_PID" ;;
      jdk)    out="$out;wssguard-jdktls,127.0.0.1:9446,1,$WSS_PID" ;;
    esac
  done
  echo "${out#;}"
}

: >"$LOG"
mkdir -p "$OUT"
RAN_HARNESS=0

# ---------------------------------------------------------------- main pass: one wssguard process, all targets
if [ "$MODE" = all ] || [ "$MODE" = main ]; then
  tests=$SINGLE_TESTS
  [ "$MODE" = all ] && tests=$(echo " $SINGLE_TESTS " | sed 's/ idle / /g; s/^ *//; s/ *$//')
  if [ -n "$tests" ]; then
    restart_wssguard
    log "main pass: VARIANTS=$VARIANTS SINGLE_TESTS=$tests"
    SINGLE_TESTS=$tests KEEP_RAW=${KEEP_RAW:-0} EXTRA_TARGETS=$(extra_targets plain nopolicy boring jdk) "$A/run-anchors.sh"
    RAN_HARNESS=1
  fi
fi

# ---------------------------------------------------------------- idle: fresh wssguard per listener
# The harness restarts nginx/HAProxy before their idle runs but measures an external proxy as-is, so each
# wssguard listener gets its own fresh process here (RSS_0 = a process that has served nothing).
if { [ "$MODE" = all ] && [[ " $SINGLE_TESTS " == *" idle "* ]]; } || [ "$MODE" = idle ]; then
  first=1
  for l in plain boring jdk; do
    restart_wssguard
    log "idle pass: $l (anchors: $first)"
    keep=1; [ "$RAN_HARNESS" = 0 ] && [ "$first" = 1 ] && keep=${KEEP_RAW:-0}
    VARIANTS=single SINGLE_TESTS=idle ANCHORS=$first KEEP_RAW=$keep EXTRA_TARGETS=$(extra_targets "$l") "$A/run-anchors.sh"
    RAN_HARNESS=1; first=0
  done
fi

# ---------------------------------------------------------------- live heap per idle connection (full GC)
# DESIGN.md: report the live heap per connection after a full GC beside RSS. GC.class_histogram forces a full GC
# and totals the live objects. Own backend here (the harness stopped its own).
histo_total() { jcmd "$WSS_PID" GC.class_histogram 2>/dev/null | awk '/^Total/{print $3}'; }
# A fresh wssguard per listener (as for RSS): after connections close, the histogram of a used process can show megabytes of
# int[] (heap filler) that would inflate the next baseline.
if [ "$MODE" = all ] || [ "$MODE" = idle ] || [ "$MODE" = heap ]; then
  node "$A/node/echo-server.js" 127.0.0.1 9001 >"$WORK/heap-backend.log" 2>&1 & ECHO_PID=$!
  wait_port 9001
  echo "# live heap per idle proxied connection, after a full GC (jcmd GC.class_histogram), N=$HEAP_N, fresh process each" >"$OUT/heap.txt"
  printf '%-16s %6s %8s %14s %14s %12s\n' target fds0 open heap0_bytes heapN_bytes B/conn >>"$OUT/heap.txt"
  for spec in wssguard-plain:9082: wssguard-tls:9445:--tls wssguard-jdktls:9446:--tls; do
    IFS=: read -r name port tlsarg <<<"$spec"
    restart_wssguard
    h0=$(histo_total)
    fd0=$(ls "/proc/$WSS_PID/fd" | wc -l)
    # shellcheck disable=SC2086
    timeout 300 node "$A/node/wsbench.js" --test idle --name "$name" --target "127.0.0.1:$port" $tlsarg \
      --conns "$HEAP_N" --settle 12 --proxy-pids "$WSS_PID" --out "$WORK/heap-$name.json" </dev/null >"$WORK/heap-$name.log" 2>&1 &
    bp=$!
    # wait until (almost) all connections are proxied: 2 fds each; then measure during the settle time
    open=0
    for _ in $(seq 1 150); do
      open=$(( ($(ls "/proc/$WSS_PID/fd" | wc -l) - fd0) / 2 ))
      [ "$open" -ge $((HEAP_N * 99 / 100)) ] && break
      kill -0 "$bp" 2>/dev/null || break
      sleep 0.2
    done
    sleep 2
    open=$(( ($(ls "/proc/$WSS_PID/fd" | wc -l) - fd0) / 2 ))
    hN=$(histo_total)
    wait "$bp" || log "wsbench ($name heap) exited $?"
    per=$(( open > 0 ? (hN - h0) / open : 0 ))
    printf '%-16s %6s %8s %14s %14s %12s\n' "$name" "$fd0" "$open" "$h0" "$hN" "$per" >>"$OUT/heap.txt"
  done
  stop_pid "$ECHO_PID"; ECHO_PID=""
fi

# ---------------------------------------------------------------- resumption: full vs resumed handshakes
# The harness's tlshs test offers no session; here both proxies serve the same certificate and the same client,
# once without a session and once offering a ticket, alternating targets. nginx runs the harness's own template
# (one worker, TLS 1.3 only) with ssl_session_tickets on (its default, stated).
if [ "$MODE" = resume ]; then
  for port in 9001 9443 9445; do
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then echo "port $port is taken: another run in progress?" >&2; exit 1; fi
  done
  # The echo backend answers the upgrade each loop sends once to be given its ticket.
  node "$A/node/echo-server.js" 127.0.0.1 9001 >"$WORK/resume-backend.log" 2>&1 & ECHO_PID=$!
  wait_port 9001
  restart_wssguard
  NRUN=$WORK/nginx-resume; mkdir -p "$NRUN/nginx-body" "$NRUN/nginx-proxy"
  sed -e "s#@WORKERS@#1#" -e "s#@RUN@#$NRUN#g" -e "s#@CONF@#$A/conf#g" \
    -e 's#ssl_protocols TLSv1.3;#ssl_protocols TLSv1.3;\n    ssl_session_tickets on;#' "$A/conf/nginx.conf.tmpl" >"$NRUN/nginx.conf"
  nginx -p "$NRUN" -e "$NRUN/nginx-error.log" -c "$NRUN/nginx.conf" & NGINX_PID=$!
  wait_port 9443
  mkdir -p "$OUT/resume"
  for rep in $(seq 1 "${RESUME_REPEATS:-2}"); do
    for spec in "nginx-tls:9443:$NGINX_PID" "wssguard-tls:9445:$WSS_PID"; do
      IFS=: read -r name port pid <<<"$spec"
      for m in full resume; do
        timeout 120 node "$BENCH/tlsresume.js" --target "127.0.0.1:$port" --proxy-pids "$pid" --mode "$m" --name "$name" \
          --par "${RESUME_PAR:-32}" --warmup "${RESUME_WARMUP:-3}" --duration "${RESUME_DUR:-8}" --out "$OUT/resume/$name-$m-$rep.json"
      done
    done
  done
  stop_pid "$NGINX_PID"; NGINX_PID=""; stop_pid "$ECHO_PID"; ECHO_PID=""
  node -e '
    const fs = require("fs"), d = process.argv[1], by = {};
    for (const f of fs.readdirSync(d).sort()) { const r = JSON.parse(fs.readFileSync(d + "/" + f, "utf8")); (by[r.name + " " + r.mode] ??= []).push(r); }
    const med = (a) => { const s = [...a].sort((x, y) => x - y); return s[Math.floor((s.length - 1) / 2)]; };
    console.log("# proxy CPU per TLS 1.3 handshake (us, schedstat), median [all runs]; resumed = share the server resumed");
    for (const [k, rs] of Object.entries(by)) {
      const us = rs.map((r) => r.proxy_cpu_us_per_handshake);
      console.log(k.padEnd(22), String(med(us)).padStart(8), " [" + us.join(", ") + "]", " hs/s", med(rs.map((r) => r.handshakes_per_s)),
        " resumed", med(rs.map((r) => r.resumed_pct)) + "%", " failed", rs.reduce((n, r) => n + r.failed, 0));
    }' "$OUT/resume" >"$OUT/resume.txt"
fi

# ---------------------------------------------------------------- collect
stop_pid "$WSS_PID"; WSS_PID=""
if [ "$RAN_HARNESS" = 1 ]; then
  cp "$A/results.json" "$A/results.txt" "$OUT/"
  mkdir -p "$OUT/raw" && cp "$A"/results/raw/*.json "$OUT/raw/"
fi
# Errors reported by the load generator, per run (connect errors, socket errors, bad frames, handshake failures).
if [ -d "$OUT/raw" ]; then
  node -e '
    const fs = require("fs"), d = process.argv[1]; const rows = [];
    for (const f of fs.readdirSync(d).sort()) {
      const r = JSON.parse(fs.readFileSync(d + "/" + f, "utf8"));
      const e = { connected: r.connected, want: r.params.conns, connect_errors: r.connect_errors, lastErr: r.connect_lastErr,
        errors: r.errors, bad_frames: r.bad_frames, open_at_end: r.open_at_end, hs_fail: r.handshake_failures };
      const hs = r.params.test === "tlshs";   // tlshs reports handshakes, not connections
      const bad = (!hs && (r.connected ?? 0) < r.params.conns) || r.connect_errors || r.errors || r.bad_frames || r.handshake_failures ||
        (!hs && r.open_at_end != null && r.open_at_end < r.params.conns);
      if (bad) rows.push(f.replace(/\.json$/, "") + " " + JSON.stringify(e));
    }
    console.log(rows.length ? "runs with errors or lost connections:\n" + rows.join("\n") : "no load-generator errors in any run");
  ' "$OUT/raw" >"$OUT/errors.txt"
fi
grep -E 'SEVERE|WARNING|Exception|Error' "$LOG" | sort | uniq -c | sort -rn | head -50 >"$OUT/wssguard-log-summary.txt" || true
{
  echo "date_utc: $STAMP"
  echo "mode: $MODE"
  echo "git: $(git -C "$REPO" rev-parse --short HEAD) ($(git -C "$REPO" rev-parse --abbrev-ref HEAD))"
  echo "jar: $JAR ($(sha256sum "$JAR" | cut -c1-16))"
  echo "host: $(uname -srm); cpus: $(nproc); $(grep -m1 'model name' /proc/cpuinfo | sed 's/\s\+/ /g')"
  echo "java: $(java -version 2>&1 | sed -n 2p)"
  echo "nginx: $(nginx -v 2>&1)"; echo "haproxy: $(haproxy -v | head -1)"; echo "node: $(node --version)"
  echo "wssguard JVM: ${WSSGUARD_ENV:+$WSSGUARD_ENV }$JVM_OPTS -Dwssguard.ioThreads=$WSSGUARD_IO_THREADS"
  echo "knobs: $(env | grep -E '^(QUICK|SIZE|CPU_|LAT_|IDLE_N|HS_|MAX_|WORKERS|VARIANTS|SINGLE_TESTS|MULTI_TESTS|HEAP_N)' | sort | tr '\n' ' ')"
  echo "loadavg at end: $(cat /proc/loadavg)"
} >"$OUT/meta.txt"

echo
[ -f "$OUT/results.txt" ] && cat "$OUT/results.txt"
[ -f "$OUT/heap.txt" ] && { echo; cat "$OUT/heap.txt"; }
[ -f "$OUT/resume.txt" ] && { echo; cat "$OUT/resume.txt"; }
echo; cat "$OUT/errors.txt" 2>/dev/null || true
[ -s "$OUT/wssguard-log-summary.txt" ] && { echo "wssguard log warnings (count, line):"; cat "$OUT/wssguard-log-summary.txt"; }
log "results in ${OUT#"$REPO"/}"
