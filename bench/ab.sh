#!/usr/bin/env bash
# Two builds of wssguard compared on one measure, order effect controlled (ABBA), for a change too small for the
# side-by-side run to resolve (see BENCHMARKS.md "Idle memory per conversation", "Tried and not kept").
#
#   bench/ab.sh OLD.jar NEW.jar                  # proxy CPU per relayed message on the plain listener
#   TLS=1 bench/ab.sh OLD.jar NEW.jar            # the same on the BoringSSL listener
#   TEST=tlshs bench/ab.sh OLD.jar NEW.jar       # proxy CPU per full TLS handshake on the BoringSSL listener
#   IO_THREADS=2 REPEATS=4 bench/ab.sh A.jar B.jar
#   JVM_OPTS_B="-Xms256m -Xmx256m -XX:+UseG1GC" bench/ab.sh X.jar X.jar   # one build under two sets of JVM flags
#   ENV_B="LD_PRELOAD=/usr/lib/x86_64-linux-gnu/libjemalloc.so.2" bench/ab.sh X.jar X.jar   # ... or environments
#
# Each run is a fresh process (bench/wssguard-bench.yaml, the JVM flags of bench/run.sh) that first gets a discarded
# warm-up load, then the measured one; the jars run A B B A, repeated REPEATS/2 times. The VM's speed drifts by
# more than such changes move, and the load generator's own CPU per message drifts with it, so each run's figure
# is also given normalised: proxy CPU ÷ load-generator CPU in the same run (the load does not depend on the build).
# Knobs: TEST (cpu | tlshs), TLS (1: the cpu test over BoringSSL), REPEATS (4: runs per jar), DUR (15 s measured), WARM (8 s), CPU_CONNS (200),
# CPU_RATE (50), HS_PAR (32), WORKERS (2: load-generator processes), IO_THREADS (1), JVM_OPTS, JVM_OPTS_A and JVM_OPTS_B (default JVM_OPTS),
# ENV_A and ENV_B (NAME=value ... set for that side's wssguard process only). Raw results: bench/results/<UTC timestamp>-ab/.
# Loopback only; every process is stopped by PID; every load is bounded (wsbench's watchdogs and `timeout`).
set -euo pipefail

BENCH=$(cd "$(dirname "$(readlink -f "$0")")" && pwd)
REPO=$(cd "$BENCH/.." && pwd)
# shellcheck source=bench/lib.sh
. "$BENCH/lib.sh"

[ $# = 2 ] && [ -f "$1" ] && [ -f "$2" ] || { echo "usage: bench/ab.sh OLD.jar NEW.jar (see the head of this file)" >&2; exit 2; }
JAR_A=$(readlink -f "$1"); JAR_B=$(readlink -f "$2")
TEST=${TEST:-cpu}
case $TEST in cpu) PORT=9082; TLSARG="";; tlshs) PORT=9445; TLSARG=--tls;; *) echo "TEST must be cpu or tlshs" >&2; exit 2;; esac
[ "$TEST" = cpu ] && [ "${TLS:-0}" = 1 ] && { PORT=9445; TLSARG=--tls; }
REPEATS=${REPEATS:-4}; [ $((REPEATS % 2)) = 0 ] || { echo "REPEATS must be even (ABBA)" >&2; exit 2; }
DUR=${DUR:-15}; WARM=${WARM:-8}; CPU_CONNS=${CPU_CONNS:-200}; CPU_RATE=${CPU_RATE:-50}; HS_PAR=${HS_PAR:-32}; WORKERS=${WORKERS:-2}
IO_THREADS=${IO_THREADS:-1}
JVM_OPTS=${JVM_OPTS:-"-Xms256m -Xmx256m -XX:+UseSerialGC"}   # as bench/run.sh
JVM_OPTS_A=${JVM_OPTS_A:-$JVM_OPTS}; JVM_OPTS_B=${JVM_OPTS_B:-$JVM_OPTS}
OUT=$BENCH/results/$(date -u +%Y%m%dT%H%M%SZ)-ab
LOG=$WORK/ab-wssguard.log

ulimit -n "$(ulimit -Hn)"
bench_prepare
port_free 127.0.0.1:9001 127.0.0.1:9082 127.0.0.1:9445
mkdir -p "$OUT/raw"
{ meta_common; echo "A: $JAR_A ($(sha256sum "$JAR_A" | cut -c1-12))"; echo "B: $JAR_B ($(sha256sum "$JAR_B" | cut -c1-12))"
  echo "test: $TEST on 127.0.0.1:$PORT ${TLSARG:-plain}; repeats per jar: $REPEATS; measured ${DUR}s after ${WARM}s warm-up; io threads: $IO_THREADS; load workers: $WORKERS; handshake loops: $HS_PAR; cpu: $CPU_CONNS conns x $CPU_RATE/s"
  echo "jvm A: ${ENV_A:+$ENV_A }$JVM_OPTS_A"; echo "jvm B: ${ENV_B:+$ENV_B }$JVM_OPTS_B"; } >"$OUT/meta.txt"

WSS_PID=""; ECHO_PID=""
cleanup() { stop_pid "$WSS_PID"; WSS_PID=""; stop_pid "$ECHO_PID"; ECHO_PID=""; }
trap cleanup EXIT
trap 'exit 130' INT TERM
node "$A/node/echo-server.js" 127.0.0.1 9001 >"$WORK/ab-backend.log" 2>&1 &
ECHO_PID=$!
wait_port 9001

load() { # name seconds out
  local args=(--conns "$CPU_CONNS" --rate "$CPU_RATE"); [ "$TEST" = tlshs ] && args=(--conns "$HS_PAR")
  # shellcheck disable=SC2086
  (cd "$A" && timeout $(( $2 + 120 )) node node/wsbench.js --name "$1" --test "$TEST" --target "127.0.0.1:$PORT" $TLSARG \
    --proxy-pids "$WSS_PID" --duration "$2" --warmup 2 --workers "$WORKERS" "${args[@]}" --out "$3" </dev/null)
}

order=""; for _ in $(seq 1 $((REPEATS / 2))); do order="$order A B B A"; done
i=0
for j in $order; do
  i=$((i + 1)); jar=$JAR_A; opts=$JVM_OPTS_A; envs=${ENV_A:-}; [ "$j" = B ] && { jar=$JAR_B; opts=$JVM_OPTS_B; envs=${ENV_B:-}; }
  : >"$LOG"
  # shellcheck disable=SC2086
  (cd "$BENCH" && exec env $envs java $opts -Dwssguard.ioThreads="$IO_THREADS" -jar "$jar" run --config "$BENCH/wssguard-bench.yaml" >>"$LOG" 2>&1) &
  WSS_PID=$!
  wait_port 9082 127.0.0.1 "$LOG"; wait_port 9445 127.0.0.1 "$LOG"
  load warm "$WARM" "$OUT/raw/warm-$i-$j.json" >/dev/null
  load "$j" "$DUR" "$OUT/raw/run-$i-$j.json" | tail -1 | sed "s/^/run $i $j: /"
  stop_pid "$WSS_PID"; WSS_PID=""
done

node "$BENCH/ab-report.js" "$OUT" "$TEST" >"$OUT/ab.txt"
cat "$OUT/ab.txt"
log "results in ${OUT#"$REPO"/}"
