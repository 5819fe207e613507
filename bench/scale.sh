#!/usr/bin/env bash
# Scale and endurance (BENCHMARKS.md "Scale"): N proxied WebSocket conversations held for DURATION, 1% of them
# active, sampled every minute. A benchmark tool, not a CI test.
#
#   nice -n 5 bench/scale.sh                       # N=10000, DURATION=30m, plain listener
#   N=10000 DURATION=10m nice -n 5 bench/scale.sh  # what BENCHMARKS.md reports
#   TLS=1 N=2000 DURATION=5m bench/scale.sh        # through the BoringSSL listener
#
# Knobs: N (10000) ADDRS (100 source addresses from 127.0.1.1) DURATION (30m; s or m) SAMPLE (60 s) ACTIVE (0.01)
# RATE (10 msg/s per active conversation) SIZE (128 B) CONNECT_RATE (500/s) WORKERS (2 load processes) TLS (0)
# JVM_OPTS STRICT (1: refuse to start when the proxy's descriptor limit cannot hold N; 0: run and let the excess be
# refused at accept for capacity, reported apart from other errors).
# Starts the anchors' Node `ws` echo backend (127.0.0.1:9101) and wssguard (bench/wssguard-scale.yaml: 127.0.0.1:9182
# plain, :9545 TLS, admin :9190), runs bench/load/scale.js, stops both by PID. Results: bench/results/<UTC>-scale/
# (params.json, samples.jsonl: one JSON line a minute, summary.txt/json, meta.txt, wssguard-log-summary.txt).
set -euo pipefail

BENCH=$(cd "$(dirname "$(readlink -f "$0")")" && pwd)
REPO=$(cd "$BENCH/.." && pwd)
# shellcheck source=bench/lib.sh
. "$BENCH/lib.sh"

N=${N:-10000}; ADDRS=${ADDRS:-100}; SAMPLE=${SAMPLE:-60}; ACTIVE=${ACTIVE:-0.01}; RATE=${RATE:-10}; SIZE=${SIZE:-128}
CONNECT_RATE=${CONNECT_RATE:-500}; WORKERS=${WORKERS:-2}; TLS=${TLS:-0}; STRICT=${STRICT:-1}
DURATION=${DURATION:-30m}
case $DURATION in *m) DURATION_S=$(( ${DURATION%m} * 60 ));; *s) DURATION_S=${DURATION%s};; *) DURATION_S=$DURATION;; esac
# Measured (BENCHMARKS.md "Scale"): ~7.5 KB of live heap per plain conversation over a ~10 MB baseline, so 10,000 hold
# ~85 MB live; a fixed 256 MiB heap leaves 3x that for garbage between collections. SerialGC: 2 cores.
JVM_OPTS=${JVM_OPTS:-"-Xms256m -Xmx256m -XX:+UseSerialGC"}
CONFIG=$BENCH/wssguard-scale.yaml
BACKEND_PORT=9101; PLAIN=127.0.0.1:9182; TLSL=127.0.0.1:9545; ADMIN=127.0.0.1:9190
TARGET=$PLAIN; [ "$TLS" = 1 ] && TARGET=$TLSL
OUT=$BENCH/results/$(date -u +%Y%m%dT%H%M%SZ)-scale
LOG=$WORK/scale-wssguard.log

# ---------------------------------------------------------------- limits, before anything starts
ulimit -n "$(ulimit -Hn)"
NOFILE=$(ulimit -n)
FIT=$(( (NOFILE - 256) / 2 ))   # wssguard's default limits.maxConnections
PER_IP=$(( (N + ADDRS - 1) / ADDRS ))
PER_IP_MAX=$(sed -n 's/.*connections: {max: \([0-9]*\).*/\1/p' "$BENCH/policies/scale.yaml")
ACTIVE_N=$(awk -v n="$N" -v a="$ACTIVE" 'BEGIN{printf "%d", n*a+0.5}')
read -r PORT_LO PORT_HI </proc/sys/net/ipv4/ip_local_port_range
PORTS=$(( PORT_HI - PORT_LO + 1 ))
log "limits: nofile $NOFILE -> wssguard holds $FIT conversations (2 fds each, 256 kept); N=$N"
log "limits: $PER_IP conversations per source address (N/ADDRS), policy perIp.connections.max $PER_IP_MAX"
log "limits: ephemeral ports $PORTS: proxy->backend needs $N from 127.0.0.1, each source address $PER_IP"
problems=()
[ "$N" -le "$FIT" ] || problems+=("the proxy's descriptor limit ($NOFILE) holds $FIT conversations, not $N: raise ulimit -n to $(( 2 * N + 256 )) or lower N")
[ "$PER_IP" -le "$PER_IP_MAX" ] || problems+=("$PER_IP conversations per address exceed perIp.connections.max $PER_IP_MAX: raise ADDRS to $(( (N + PER_IP_MAX - 1) / PER_IP_MAX ))")
[ "$N" -lt "$PORTS" ] || problems+=("$N proxy->backend connections from one address exceed the ephemeral port range ($PORTS)")
[ $(( N / WORKERS + ACTIVE_N + 64 )) -le "$NOFILE" ] || problems+=("a load worker would hold more than $NOFILE sockets: raise WORKERS")
[ $(( N + ACTIVE_N + 64 )) -le "$NOFILE" ] || problems+=("the echo backend would hold more than $NOFILE sockets")
[ "$ADDRS" -le 65000 ] || problems+=("ADDRS above 65000")
if [ ${#problems[@]} -gt 0 ]; then
  for p in "${problems[@]}"; do echo "scale.sh: $p" >&2; done
  if [ "$STRICT" = 1 ]; then echo "scale.sh: refusing to start (STRICT=0 runs anyway: wssguard then refuses the excess at accept, reported apart from other errors)" >&2; exit 2; fi
  log "STRICT=0: running anyway"
fi

bench_prepare
port_free "127.0.0.1:$BACKEND_PORT" "$PLAIN" "$TLSL" "$ADMIN"

WSS_PID=""; ECHO_PID=""
cleanup() { stop_pid "$WSS_PID"; WSS_PID=""; stop_pid "$ECHO_PID"; ECHO_PID=""; }
trap cleanup EXIT
trap 'exit 130' INT TERM

mkdir -p "$OUT"; : >"$LOG"
node "$A/node/echo-server.js" 127.0.0.1 "$BACKEND_PORT" >"$WORK/scale-backend.log" 2>&1 & ECHO_PID=$!
wait_port "$BACKEND_PORT" 127.0.0.1 "$WORK/scale-backend.log"
# shellcheck disable=SC2086
java $JVM_OPTS -jar "$JAR" run --config "$CONFIG" >>"$LOG" 2>&1 & WSS_PID=$!
wait_port "${PLAIN##*:}" 127.0.0.1 "$LOG"; wait_port "${TLSL##*:}" 127.0.0.1 "$LOG"; wait_port "${ADMIN##*:}" 127.0.0.1 "$LOG"
log "wssguard pid $WSS_PID ($JVM_OPTS), nofile $(awk '/Max open files/{print $4}' "/proc/$WSS_PID/limits"); backend pid $ECHO_PID"
{
  echo "date_utc: ${OUT##*/}"; meta_common
  echo "wssguard JVM: $JVM_OPTS; config: bench/wssguard-scale.yaml; target: $TARGET (TLS=$TLS)"
  echo "knobs: N=$N ADDRS=$ADDRS DURATION=$DURATION SAMPLE=$SAMPLE ACTIVE=$ACTIVE RATE=$RATE SIZE=$SIZE CONNECT_RATE=$CONNECT_RATE WORKERS=$WORKERS STRICT=$STRICT"
  echo "nice: $(nice)"
} >"$OUT/meta.txt"

tls_arg=(); [ "$TLS" = 1 ] && tls_arg=(--tls)
rc=0
node "$BENCH/load/scale.js" --target "$TARGET" "${tls_arg[@]}" --direct "127.0.0.1:$BACKEND_PORT" --conns "$N" --addrs "$ADDRS" \
  --duration "$DURATION_S" --sample "$SAMPLE" --active "$ACTIVE" --rate "$RATE" --size "$SIZE" --connect-rate "$CONNECT_RATE" \
  --workers "$WORKERS" --proxy-pid "$WSS_PID" --backend-pid "$ECHO_PID" --metrics "http://$ADMIN/metrics" --out "$OUT" </dev/null || rc=$?

echo "loadavg at end: $(cat /proc/loadavg)" >>"$OUT/meta.txt"
cleanup
grep -E 'SEVERE|WARN|Exception|Error' "$LOG" | sed -E 's/[0-9]{4}-[0-9-]+T[0-9:.]+Z?//' | sort | uniq -c | sort -rn | head -50 \
  >"$OUT/wssguard-log-summary.txt" || true
[ -s "$OUT/wssguard-log-summary.txt" ] && { echo "wssguard log warnings (count, line):"; head -20 "$OUT/wssguard-log-summary.txt"; }
log "results in ${OUT#"$REPO"/}"
exit "$rc"
