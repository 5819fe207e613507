#!/usr/bin/env bash
# What each optional feature costs the relay: proxy CPU per relayed message (the anchors' `cpu` test, schedstat)
# with the feature on vs off, in one run, order effect controlled (see BENCHMARKS.md "Feature overhead (same run)").
#
#   bench/overhead.sh                 # ~18 min with the defaults below
#   REPEATS=4 CPU_DUR=10 WARM_DUR=4 bench/overhead.sh   # ~13 min: the run in BENCHMARKS.md
#   REPEATS=6 CPU_DUR=20 bench/overhead.sh
#
# Features (issues #12-#15), each compared with the same baseline process `base` (bench/wssguard-bench.yaml):
#   policies  the `plain` listener (benchmark policy, every limit on) vs `plain-nopolicy` (policy: off), in `base`
#   cluster   `cluster`: bench/wssguard-bench-cluster.yaml (fleet on, every per-IP limit scope: fleet) over a
#             redis-server this script starts on 127.0.0.1:6390; plain and (TLS=1) BoringSSL listeners
#   record    `record`: base plus `record: {dir: work/overhead-traffic/, maxBytes: 256MiB, sample: 1.0}`
#   console   `console`: base with bench/console-poll.js signed in to the admin listener and polling it as the
#             console page does (overview + events once a second), from start to stop of the process
# Every process has the same admin block (127.0.0.1:9090, its History sampler runs in all of them); only `console`
# polls it.
#
# Order effect: each variant is a fresh wssguard process (these settings are process-wide) that first gets a
# discarded warm-up load on every listener it is measured on (plain, then BoringSSL: the same for all processes);
# the processes run in ORDER in odd repeats and in the reverse order in even ones (ABBA: use an even REPEATS), in
# `base` plain and plain-nopolicy alternate. nginx (one worker, the harness's template) is measured once, plain
# and TLS, after its own warm-up, so the figures can be quoted as ratios.
#
# Knobs: REPEATS (4), CPU_DUR (15 s measured, after the harness's 3 s warm-up), CPU_CONNS (200), CPU_RATE (50),
# SIZE (128), WORKERS (2), WARM_DUR (5 s per listener per process), TLS (1: cluster on/off over BoringSSL too),
# ORDER (the processes in odd repeats, reversed in even ones: "record cluster base console" puts the baseline
# next to cluster and console and one away from record; leave out a feature to skip it), JVM_OPTS and WSSGUARD_IO_THREADS as in
# bench/run.sh, JFR=1 (a JFR recording of each process under load, in the results), WSSGUARD_JAR.
# Raw results: bench/results/<UTC timestamp>-overhead/ (raw/*.json per run with per-thread CPU snapshots, overhead.txt,
# overhead.json, meta.txt, uptime.txt, record.txt, redis-commandstats.txt); re-render: node bench/overhead-report.js DIR.
# Loopback only; every process is stopped by PID; every load is bounded (wsbench's watchdogs and `timeout`).
set -euo pipefail

BENCH=$(cd "$(dirname "$(readlink -f "$0")")" && pwd)
REPO=$(cd "$BENCH/.." && pwd)
# shellcheck source=bench/lib.sh
. "$BENCH/lib.sh"

REPEATS=${REPEATS:-4}
CPU_DUR=${CPU_DUR:-15}
CPU_CONNS=${CPU_CONNS:-200}
CPU_RATE=${CPU_RATE:-50}
SIZE=${SIZE:-128}
WORKERS=${WORKERS:-2}
WARM_DUR=${WARM_DUR:-5}
TLS=${TLS:-1}
ORDER=${ORDER:-"record cluster base console"}
JFR=${JFR:-0}
WSSGUARD_IO_THREADS=${WSSGUARD_IO_THREADS:-1}
JVM_OPTS=${JVM_OPTS:-"-Xms256m -Xmx256m -XX:+UseSerialGC"}   # as bench/run.sh
REDIS_PORT=6390
STAMP=$(date -u +%Y%m%dT%H%M%SZ)
OUT=$BENCH/results/$STAMP-overhead
RAW=$OUT/raw
LOG=$WORK/overhead-wssguard.log
TOKEN=$WORK/overhead-admin.token
TRAFFIC=$WORK/overhead-traffic

ulimit -n "$(ulimit -Hn)"
bench_prepare
need_tool nginx; need_tool redis-server
port_free 127.0.0.1:9001 127.0.0.1:9080 127.0.0.1:9443 127.0.0.1:9082 127.0.0.2:9083 127.0.0.1:9445 127.0.0.1:9446 \
  127.0.0.1:9090 127.0.0.1:$REDIS_PORT
mkdir -p "$RAW"
: >"$LOG"

ECHO_PID=""; NGINX_PID=""; REDIS_PID=""; WSS_PID=""; POLL_PID=""
cleanup() {
  stop_pid "$POLL_PID"; POLL_PID=""; stop_pid "$WSS_PID"; WSS_PID=""; stop_pid "$NGINX_PID"; NGINX_PID=""
  stop_pid "$REDIS_PID"; REDIS_PID=""; stop_pid "$ECHO_PID"; ECHO_PID=""
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---------------------------------------------------------------- configurations (in bench/work)
# bench/wssguard-bench*.yaml with their relative paths rebased on bench/work/, plus the same admin block for all.
rebase() { # source yaml -> stdout
  sed -e 's#work/tls/#tls/#' -e 's#dir: policies/#dir: ../policies/#' -e 's#dir: policies-fleet/#dir: ../policies-fleet/#' "$1"
  printf '\nadmin:\n  bind: 127.0.0.1:9090\n  tokenFile: %s\n  generateToken: true\n' "$(basename "$TOKEN")"
}
rebase "$BENCH/wssguard-bench.yaml" >"$WORK/overhead-base.yaml"
rebase "$BENCH/wssguard-bench-cluster.yaml" >"$WORK/overhead-cluster.yaml"
{ rebase "$BENCH/wssguard-bench.yaml"
  printf '\nrecord:\n  dir: %s/\n  maxBytes: 256MiB\n  sample: 1.0\n' "$(basename "$TRAFFIC")"; } >"$WORK/overhead-record.yaml"
cp "$WORK/overhead-base.yaml" "$WORK/overhead-console.yaml"
for v in base cluster record; do java -jar "$JAR" check --config "$WORK/overhead-$v.yaml" >"$WORK/overhead-check-$v.log" 2>&1 \
  || { echo "wssguard check refused $WORK/overhead-$v.yaml:" >&2; cat "$WORK/overhead-check-$v.log" >&2; exit 1; }; done

# ---------------------------------------------------------------- processes
start_backend() {
  node "$A/node/echo-server.js" 127.0.0.1 9001 >"$WORK/overhead-backend.log" 2>&1 & ECHO_PID=$!
  wait_port 9001
}
start_redis() {
  redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save '' --appendonly no >"$WORK/overhead-redis.log" 2>&1 & REDIS_PID=$!
  wait_port "$REDIS_PORT" 127.0.0.1 "$WORK/overhead-redis.log"
}
start_nginx() {
  local run=$WORK/overhead-nginx; mkdir -p "$run/nginx-body" "$run/nginx-proxy"
  sed -e "s#@WORKERS@#1#" -e "s#@RUN@#$run#g" -e "s#@CONF@#$A/conf#g" "$A/conf/nginx.conf.tmpl" >"$run/nginx.conf"
  nginx -p "$run" -e "$run/nginx-error.log" -c "$run/nginx.conf" & NGINX_PID=$!
  wait_port 9080; wait_port 9443; sleep 0.3
}
start_wss() { # variant
  local v=$1 jfr=""
  [ "$JFR" = 1 ] && jfr="-XX:StartFlightRecording=filename=$OUT/jfr-$v-r$REP.jfr,settings=profile"
  [ "$v" = record ] && rm -rf "$TRAFFIC"
  [ "$v" = cluster ] && redis-cli -p "$REDIS_PORT" flushall >/dev/null
  echo "=== r$REP $v" >>"$LOG"
  # shellcheck disable=SC2086
  java $JVM_OPTS $jfr -Dwssguard.ioThreads="$WSSGUARD_IO_THREADS" -jar "$JAR" run --config "$WORK/overhead-$v.yaml" >>"$LOG" 2>&1 &
  WSS_PID=$!
  wait_port 9082 127.0.0.1 "$LOG"; wait_port 9083 127.0.0.2 "$LOG"; wait_port 9445 127.0.0.1 "$LOG"; wait_port 9090 127.0.0.1 "$LOG"
  sleep 0.5
  if [ "$v" = console ]; then
    timeout 900 node "$BENCH/console-poll.js" --admin 127.0.0.1:9090 --token-file "$TOKEN" --seconds 800 \
      --out "$RAW/r${REP}__console__poll.json" >>"$WORK/overhead-poll.log" 2>&1 & POLL_PID=$!
    sleep 1.5
    kill -0 "$POLL_PID" 2>/dev/null || { echo "console poller failed:" >&2; tail -5 "$WORK/overhead-poll.log" >&2; exit 1; }
  fi
  log "r$REP $v: wssguard pid $WSS_PID"
}
stop_wss() { # variant
  local v=$1
  if [ "$v" = record ]; then
    { echo "r$REP: $(du -sb "$TRAFFIC" | cut -f1) bytes in $(find "$TRAFFIC" -type f | wc -l) files"
      curl -s http://127.0.0.1:9090/metrics | grep -E '^wssguard_record' || true; } >>"$OUT/record.txt"
  fi
  if [ "$v" = cluster ]; then
    { echo "r$REP:"; redis-cli -p "$REDIS_PORT" info commandstats | grep cmdstat; } >>"$OUT/redis-commandstats.txt"
  fi
  stop_pid "$POLL_PID"; POLL_PID=""
  stop_pid "$WSS_PID"; WSS_PID=""
}

# ---------------------------------------------------------------- load
declare -A PORT=([plain]=127.0.0.1:9082 [nopolicy]=127.0.0.2:9083 [boring]=127.0.0.1:9445 [nginx]=127.0.0.1:9080 [nginxtls]=127.0.0.1:9443)
declare -A ISTLS=([plain]=0 [nopolicy]=0 [boring]=1 [nginx]=0 [nginxtls]=1)
cpu() { # out name listener pid duration warmup
  local out=$1 name=$2 l=$3 pid=$4 dur=$5 warm=$6 tlsarg=""
  [ "${ISTLS[$l]}" = 1 ] && tlsarg=--tls
  # shellcheck disable=SC2086
  timeout $((dur + warm + 120)) node "$A/node/wsbench.js" --test cpu --name "$name" --target "${PORT[$l]}" $tlsarg \
    --proxy-pids "$pid" --backend-pids "$ECHO_PID" --conns "$CPU_CONNS" --rate "$CPU_RATE" --size "$SIZE" \
    --workers "$WORKERS" --duration "$dur" --warmup "$warm" --out "$out" </dev/null
}
warm() { # listener pid
  cpu "$WORK/overhead-warm.json" "warm-up $1" "$1" "$2" "$WARM_DUR" 1 >/dev/null
}
# Per-thread CPU (schedstat ns) of a wssguard process, to tell the relay's I/O thread from the rest (admin
# listener, console sampler, record writer, fleet agent, JIT, GC): tid, name, ns.
threads() { # pid
  local t
  for t in /proc/"$1"/task/[0-9]*; do
    printf '%s\t%s\t%s\n' "${t##*/}" "$(cat "$t/comm" 2>/dev/null)" "$(cut -d' ' -f1 "$t/schedstat" 2>/dev/null)"
  done
}
measure() { # variant listener pid
  local f=$RAW/r${REP}__$1__$2
  [ "$1" = nginx ] || threads "$3" >"$f.threads0"
  cpu "$f.json" "$1/$2" "$2" "$3" "$CPU_DUR" 3
  [ "$1" = nginx ] || threads "$3" >"$f.threads1"
}

# One fresh process: warm-ups on the listeners measured (same for every variant), then the measured runs.
process() { # variant listener...
  local v=$1; shift
  start_wss "$v"
  warm plain "$WSS_PID"; [ "$TLS" = 1 ] && warm boring "$WSS_PID"
  [ "$JFR" = 1 ] && jcmd "$WSS_PID" Thread.print >"$OUT/threads-$v-r$REP.txt" 2>&1
  local l; for l in "$@"; do measure "$v" "$l" "$WSS_PID"; done
  stop_wss "$v"
}

# ---------------------------------------------------------------- the run
{ echo "before: $(uptime)"; } >"$OUT/uptime.txt"
T0=$(date +%s)
start_backend
start_redis
start_nginx
REP=0
log "nginx: warm-up, then plain and TLS once"
warm nginx "$NGINX_PID"
measure nginx nginx "$NGINX_PID"; measure nginx nginxtls "$NGINX_PID"
stop_pid "$NGINX_PID"; NGINX_PID=""

for REP in $(seq 1 "$REPEATS"); do
  order=$ORDER
  [ $((REP % 2)) = 0 ] && order=$(echo "$order" | tr ' ' '\n' | tac | tr '\n' ' ')
  log "repeat $REP/$REPEATS: $order"
  for v in $order; do
    tls=""; [ "$TLS" = 1 ] && tls=boring
    case $v in
      base) if [ $((REP % 2)) = 1 ]; then process base plain nopolicy $tls; else process base nopolicy plain $tls; fi ;;
      cluster) process cluster plain $tls ;;
      record|console) process "$v" plain ;;
      *) echo "unknown feature $v" >&2; exit 2 ;;
    esac
  done
done
echo "after:  $(uptime)" >>"$OUT/uptime.txt"
stop_pid "$REDIS_PID"; REDIS_PID=""
stop_pid "$ECHO_PID"; ECHO_PID=""

# ---------------------------------------------------------------- report
node "$BENCH/overhead-report.js" "$OUT" >"$OUT/overhead.txt"
grep -E 'SEVERE|WARNING|Exception' "$LOG" | sed 's/^[0-9T:.-]* //' | sort | uniq -c | sort -rn | head -30 >"$OUT/wssguard-log-summary.txt" || true
{
  echo "date_utc: $STAMP"
  meta_common
  echo "jar: $JAR ($(sha256sum "$JAR" | cut -c1-16))"
  echo "nginx: $(nginx -v 2>&1); redis: $(redis-server --version)"
  echo "wssguard JVM: $JVM_OPTS -Dwssguard.ioThreads=$WSSGUARD_IO_THREADS"
  echo "knobs: REPEATS=$REPEATS CPU_DUR=$CPU_DUR CPU_CONNS=$CPU_CONNS CPU_RATE=$CPU_RATE SIZE=$SIZE WORKERS=$WORKERS WARM_DUR=$WARM_DUR TLS=$TLS ORDER=\"$ORDER\" JFR=$JFR"
  echo "wall: $(( $(date +%s) - T0 )) s"
} >"$OUT/meta.txt"
cp "$WORK"/overhead-{base,cluster,record,console}.yaml "$OUT/"
cat "$OUT/uptime.txt"; echo; cat "$OUT/overhead.txt"
[ -s "$OUT/wssguard-log-summary.txt" ] && { echo "wssguard log warnings (count, line):"; cat "$OUT/wssguard-log-summary.txt"; }
log "results in ${OUT#"$REPO"/}"
