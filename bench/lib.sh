# Shared by bench/run.sh, bench/scale.sh and bench/flood.sh (sourced, not run): the anchors' copy with its Node
# `ws` echo backend, the anchors' certificate for wssguard, and starting/stopping processes by PID.
# Expects BENCH (this directory) and REPO; sets WORK, A (the anchors' copy) and JAR.

WORK=$BENCH/work
A=$WORK/anchors
JAR=${WSSGUARD_JAR:-$REPO/target/wssguard.jar}   # another build to compare: WSSGUARD_JAR=/path/old.jar

log() { echo "[bench $(date -u +%H:%M:%S)] $*"; }

# Builds the jar when missing; copies the anchors (everything but their results) and runs `npm ci` there once.
bench_prepare() {
  ANCHORS_DIR=${ANCHORS_DIR:-$REPO/../shared/anchors}
  [ -d "$ANCHORS_DIR" ] || { echo "anchors not found at $ANCHORS_DIR (set ANCHORS_DIR)" >&2; exit 1; }
  mkdir -p "$WORK/tls"
  if [ ! -f "$JAR" ]; then
    log "building $JAR"
    (cd "$REPO" && mvn -q -B package -DskipTests)
  fi
  log "anchors from $ANCHORS_DIR -> $A"
  mkdir -p "$A"
  (cd "$ANCHORS_DIR" && tar cf - --exclude=./node/node_modules --exclude=./results --exclude=./run \
    --exclude=./results.json --exclude=./results.txt .) | (cd "$A" && tar xf -)
  chmod -R u+w "$A"
  if [ ! -d "$A/node/node_modules/ws" ] || ! cmp -s "$A/node/package-lock.json" "$A/node/node_modules/.package-lock.json.copy"; then
    log "npm ci"
    npm ci --prefix "$A/node" --no-audit --no-fund --loglevel=error
    cp "$A/node/package-lock.json" "$A/node/node_modules/.package-lock.json.copy"
  fi
  # The anchors' certificate, with the key as PKCS#8 (wssguard reads PKCS#8 only).
  cp "$A/conf/cert.pem" "$WORK/tls/cert.pem"
  if grep -q 'BEGIN EC PRIVATE KEY' "$A/conf/key.pem"; then
    log "anchors' key is SEC1: converting to PKCS#8"
    openssl pkcs8 -topk8 -nocrypt -in "$A/conf/key.pem" -out "$WORK/tls/key.pem"
  else
    cp "$A/conf/key.pem" "$WORK/tls/key.pem"
  fi
  chmod 600 "$WORK/tls/key.pem"
}

need_tool() { # name: installs it with apt when missing and root
  command -v "$1" >/dev/null 2>&1 && return 0
  if [ "$(id -u)" = 0 ]; then log "$1 missing: apt-get install -y $1"; apt-get install -y "$1"
  else echo "$1 is missing: install it (apt-get install -y $1)" >&2; exit 1; fi
}

stop_pid() { # pid: TERM, then KILL after 10 s
  local p=$1; [ -z "$p" ] && return 0
  kill -TERM "$p" 2>/dev/null || true
  for _ in $(seq 1 100); do kill -0 "$p" 2>/dev/null || { wait "$p" 2>/dev/null || true; return 0; }; sleep 0.1; done
  kill -KILL "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true
}

wait_port() { # port [host [log]]: up to 20 s
  for _ in $(seq 1 200); do (exec 3<>"/dev/tcp/${2:-127.0.0.1}/$1") 2>/dev/null && return 0; sleep 0.1; done
  echo "port $1 did not come up${3:+; $3:}" >&2; [ -n "${3:-}" ] && tail -20 "$3" >&2; return 1
}

port_free() { # host:port ...: fails naming the first one something already listens on
  local hp
  for hp in "$@"; do
    if (exec 3<>"/dev/tcp/${hp%:*}/${hp##*:}") 2>/dev/null; then
      echo "$hp is already in use (another benchmark running?)" >&2; return 1
    fi
  done
}

meta_common() { # lines for meta.txt
  echo "git: $(git -C "$REPO" rev-parse --short HEAD) ($(git -C "$REPO" rev-parse --abbrev-ref HEAD))"
  echo "host: $(uname -srm); cpus: $(nproc); $(grep -m1 'model name' /proc/cpuinfo | sed 's/\s\+/ /g')"
  echo "java: $(java -version 2>&1 | sed -n 2p)"; echo "node: $(node --version)"
  echo "nofile: soft $(ulimit -n) hard $(ulimit -Hn); ip_local_port_range: $(tr '\t' ' ' </proc/sys/net/ipv4/ip_local_port_range); somaxconn: $(cat /proc/sys/net/core/somaxconn)"
  echo "loadavg: $(cat /proc/loadavg)"
}
