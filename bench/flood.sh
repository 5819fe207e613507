#!/usr/bin/env bash
# Handshake flood (BENCHMARKS.md "Handshake flood"): wssguard and nginx in the same run, each in turn in front of
# the same Node `ws` echo backend, under the same load (bench/load/flood.js): 1,000 established TLS conversations
# exchanging messages, 20 well-behaved clients opening one new conversation a second each, and for FLOOD seconds a
# flood of TLS handshakes + upgrade requests from 1,000 source addresses beyond their per-IP budgets
# (bench/policies/flood.yaml for wssguard, the same budgets as limit_req/limit_conn in bench/nginx-flood.conf.tmpl).
#
#   nice -n 5 bench/flood.sh                     # both targets
#   TARGETS=wssguard bench/flood.sh              # one
#
# Knobs: TARGETS ("wssguard nginx") ESTABLISHED (1000) RATE (2 msg/s each) FLOOD (60 s) WARM (30 s: JIT) BASE (30 s) AFTER (15 s)
# FLOOD_WORKERS (2 processes) FLOOD_PAR (64 loops each) PER_ADDR (20 attempts in a row from each address)
# FLOOD_NICE (5: the flood runs this much nicer than the rest) WARM_FLOOD (10 s of the same flood from other addresses
# at the end of the warm-up, so a JIT meets the flood warm) NGINX_WORKERS (2) JVM_OPTS WSSGUARD_ENV (NAME=value ... for the
# wssguard process only).
# Ports: backend 127.0.0.1:9201, wssguard 9645 (admin 9290), nginx 9643. Results: bench/results/<UTC>-flood/.
set -euo pipefail

BENCH=$(cd "$(dirname "$(readlink -f "$0")")" && pwd)
REPO=$(cd "$BENCH/.." && pwd)
# shellcheck source=bench/lib.sh
. "$BENCH/lib.sh"

TARGETS=${TARGETS:-"wssguard nginx"}
ESTABLISHED=${ESTABLISHED:-1000}; RATE=${RATE:-2}; FLOOD=${FLOOD:-60}; BASE=${BASE:-30}; AFTER=${AFTER:-15}; WARM=${WARM:-30}
FLOOD_WORKERS=${FLOOD_WORKERS:-2}; FLOOD_PAR=${FLOOD_PAR:-64}; PER_ADDR=${PER_ADDR:-20}; FLOOD_NICE=${FLOOD_NICE:-5}; WARM_FLOOD=${WARM_FLOOD:-10}; NGINX_WORKERS=${NGINX_WORKERS:-2}
# 1,000 conversations hold ~6 MB of live heap; the packaged heap is 512 MiB, 256 MiB is plenty here. The default
# I/O threads (one per core) match nginx's NGINX_WORKERS=2.
JVM_OPTS=${JVM_OPTS:-"-Xms256m -Xmx256m -XX:+UseSerialGC"}
BACKEND_PORT=9201; WSS=127.0.0.1:9645; ADMIN=127.0.0.1:9290; NGX=127.0.0.1:9643
OUT=$BENCH/results/$(date -u +%Y%m%dT%H%M%SZ)-flood
RUN=$WORK/flood-nginx

ulimit -n "$(ulimit -Hn)"
bench_prepare
[[ " $TARGETS " == *" nginx "* ]] && need_tool nginx
port_free "127.0.0.1:$BACKEND_PORT" "$WSS" "$ADMIN" "$NGX"

PROXY_PID=""; ECHO_PID=""
cleanup() { stop_pid "$PROXY_PID"; PROXY_PID=""; stop_pid "$ECHO_PID"; ECHO_PID=""; }
trap cleanup EXIT
trap 'exit 130' INT TERM

mkdir -p "$OUT" "$RUN"
node "$A/node/echo-server.js" 127.0.0.1 "$BACKEND_PORT" >"$WORK/flood-backend.log" 2>&1 & ECHO_PID=$!
wait_port "$BACKEND_PORT" 127.0.0.1 "$WORK/flood-backend.log"
{
  echo "date_utc: ${OUT##*/}"; meta_common
  echo "nginx: $(nginx -v 2>&1 || true); workers $NGINX_WORKERS"; echo "wssguard JVM: ${WSSGUARD_ENV:+$WSSGUARD_ENV }$JVM_OPTS (default I/O threads: one per core)"
  echo "knobs: TARGETS=$TARGETS ESTABLISHED=$ESTABLISHED RATE=$RATE FLOOD=$FLOOD WARM=$WARM BASE=$BASE AFTER=$AFTER FLOOD_WORKERS=$FLOOD_WORKERS FLOOD_PAR=$FLOOD_PAR PER_ADDR=$PER_ADDR FLOOD_NICE=$FLOOD_NICE WARM_FLOOD=$WARM_FLOOD"
  echo "nice: $(nice)"
} >"$OUT/meta.txt"

for t in $TARGETS; do
  case $t in
    wssguard)
      log_file=$WORK/flood-wssguard.log; : >"$log_file"
      # shellcheck disable=SC2086
      env ${WSSGUARD_ENV:-} java $JVM_OPTS -jar "$JAR" run --config "$BENCH/wssguard-flood.yaml" >>"$log_file" 2>&1 & PROXY_PID=$!
      wait_port "${WSS##*:}" 127.0.0.1 "$log_file"; wait_port "${ADMIN##*:}" 127.0.0.1 "$log_file"
      target=$WSS ;;
    nginx)
      log_file=$RUN/nginx-error.log; rm -rf "$RUN"/*; mkdir -p "$RUN"
      sed -e "s#@WORKERS@#$NGINX_WORKERS#; s#@RUN@#$RUN#g; s#@CONF@#$A/conf#g; s#@PORT@#${NGX##*:}#; s#@BACKEND@#127.0.0.1:$BACKEND_PORT#" \
        "$BENCH/nginx-flood.conf.tmpl" >"$RUN/nginx.conf"
      nginx -c "$RUN/nginx.conf" -p "$RUN" >"$RUN/stdout.log" 2>&1 & PROXY_PID=$!
      wait_port "${NGX##*:}" 127.0.0.1 "$log_file"
      target=$NGX ;;
    *) echo "unknown target $t (wssguard, nginx)" >&2; exit 2 ;;
  esac
  log "$t pid $PROXY_PID on $target"
  node "$BENCH/load/flood.js" --name "$t" --target "$target" --established "$ESTABLISHED" --rate "$RATE" --flood "$FLOOD" \
    --warm "$WARM" --base "$BASE" --after "$AFTER" --flood-workers "$FLOOD_WORKERS" --flood-par "$FLOOD_PAR" --per-addr "$PER_ADDR" \
    --flood-nice "$FLOOD_NICE" --warm-flood "$WARM_FLOOD" --backend-pid "$ECHO_PID" \
    --proxy-pid "$PROXY_PID" --out "$OUT/$t.json" </dev/null | tee "$OUT/$t.txt" || log "flood.js ($t) exited $?"
  if [ "$t" = wssguard ]; then
    # CPU seconds per thread over the whole run: I/O threads, workers, GC and JIT told apart
    for t in /proc/"$PROXY_PID"/task/*; do
      printf '%s %s\n' "$(tr ' ' _ <"$t/comm")" "$(sed 's/.*) //' "$t/stat" | awk '{print ($12+$13)/100}')"
    done | awk '{s[$1]+=$2} END {for (k in s) printf "%-28s %8.2f s\n", k, s[k]}' | sort -k2 -rn >"$OUT/wssguard-threads.txt" || true
    curl -s "http://$ADMIN/metrics" | grep -E '^wssguard_(connections_refused_total|connections_dropped_banned_total|handshakes_total|bans_added_total|bans_active|strikes_total|tls_handshake_failures_total)' \
      >"$OUT/wssguard-metrics.txt" || true
    grep -E 'SEVERE|WARN|Exception' "$log_file" | sed -E 's/[0-9]{4}-[0-9-]+T[0-9:.]+Z?//' | sort | uniq -c | sort -rn | head -30 >"$OUT/wssguard-log-summary.txt" || true
  else
    grep -c 'limiting requests' "$log_file" | sed 's/^/nginx limit_req refusals logged: /' >"$OUT/nginx-log-summary.txt" || true
    grep -c 'limiting connections' "$log_file" | sed 's/^/nginx limit_conn refusals logged: /' >>"$OUT/nginx-log-summary.txt" || true
  fi
  stop_pid "$PROXY_PID"; PROXY_PID=""
done
echo "loadavg at end: $(cat /proc/loadavg)" >>"$OUT/meta.txt"
log "results in ${OUT#"$REPO"/}"
