#!/usr/bin/env bash
# End-to-end benchmark (issue 7): direct to a fake OpenAI, a bare YARP forwarder, Tollgate and the
# Portkey gateway, measured in one run on the same fake upstream. See bench/README.md for the knobs.
#
#   bench/run.sh                         defaults: a couple of minutes in all
#   BENCH_STREAMS=2000 bench/run.sh      the issue's stream count
#   BENCH_SOAK_SECONDS=600 bench/run.sh  and a 10-minute soak of Tollgate afterwards
set -euo pipefail

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(dirname "$BENCH_DIR")

: "${BENCH_WARMUP:=15}"             # s of closed-loop warm-up per row (tiered JIT settles in ~10-15 s under load)
: "${BENCH_CONNECTIONS:=32}"        # connections of the saturation run
: "${BENCH_DURATION:=6}"            # s of the saturation run per row (all rounds)
: "${BENCH_C1_DURATION:=6}"         # s of the concurrency-1 run per row (all rounds)
: "${BENCH_ROUNDS:=3}"              # saturation and concurrency 1 go through the rows this many times
: "${BENCH_RATE:=500}"              # requests/s of the fixed-rate run
: "${BENCH_RATE_DURATION:=5}"       # s of the fixed-rate run
: "${BENCH_RATE_CONNECTIONS:=16}"   # connections the fixed-rate run may use
: "${BENCH_STREAMS:=200}"           # concurrent SSE streams
: "${BENCH_EVENTS:=64}"             # content events per stream
: "${BENCH_EVENT_DELAY_MS:=20}"     # ms between events
: "${BENCH_THINK_MS:=20}"           # ms the fake waits before the first event
: "${BENCH_RAMP_MS:=500}"           # stream requests spread over this many ms
: "${BENCH_SIZE:=s}"                # non-streaming answer: s (0.6 KB), m (4 KB), l (32 KB)
: "${BENCH_PORTKEY:=1}"             # 0 leaves the Portkey row out
: "${BENCH_RESULTS:=$BENCH_DIR/results}"
: "${BENCH_SKIP_BUILD:=0}"          # 1 reuses bench/.out from the last run
: "${BENCH_SOAK_SECONDS:=0}"        # > 0: afterwards, Tollgate alone at BENCH_SOAK_RATE for this long (issue: 600)
: "${BENCH_SOAK_RATE:=1000}"        # requests/s of the soak

OUT="$BENCH_DIR/.out"
WORK=$(mktemp -d "${TMPDIR:-/tmp}/tollgate-bench.XXXXXX")
PIDS=()
KEEP_WORK=0

log() { printf '== %s\n' "$*" >&2; }
fail() {
  printf 'bench/run.sh: %s\n' "$*" >&2
  KEEP_WORK=1
  exit 1
}

cleanup() {
  local pid
  for pid in "${PIDS[@]}"; do
    kill -TERM "$pid" 2>/dev/null || true
  done
  # Tollgate writes its queued spend rows on SIGTERM; give every server a few seconds.
  for _ in $(seq 1 100); do
    local alive=0
    for pid in "${PIDS[@]}"; do
      kill -0 "$pid" 2>/dev/null && alive=1
    done
    [ "$alive" = 0 ] && break
    sleep 0.1
  done
  for pid in "${PIDS[@]}"; do
    kill -KILL "$pid" 2>/dev/null || true
  done
  wait 2>/dev/null || true
  if [ "$KEEP_WORK" = 1 ]; then
    echo "bench/run.sh: logs kept in $WORK" >&2
  else
    rm -rf "$WORK"
  fi
}
trap cleanup EXIT
trap 'KEEP_WORK=1; exit 130' INT TERM

# Waits up to 60 s for a server's "Now listening on: URL" line (plain or JSON console log) and prints the URL.
wait_listening() {
  local pid=$1 logfile=$2 url
  for _ in $(seq 1 600); do
    url=$(sed -n 's/.*Now listening on: \(http:[^"[:space:]]*\).*/\1/p' "$logfile" | head -n 1)
    if [ -n "$url" ]; then
      echo "$url"
      return 0
    fi
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  tail -n 30 "$logfile" >&2
  return 1
}

# Waits until something accepts connections on 127.0.0.1:PORT.
wait_port() {
  local pid=$1 port=$2
  for _ in $(seq 1 300); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      return 0
    fi
    kill -0 "$pid" 2>/dev/null || return 1
    sleep 0.1
  done
  return 1
}

command -v dotnet >/dev/null || fail "dotnet is not on PATH"

# --- 1. Build (Release) -------------------------------------------------------------------------
if [ "$BENCH_SKIP_BUILD" != 1 ]; then
  log "Building Tollgate and the bench projects (Release)"
  for project in src/Tollgate bench/Tollgate.Bench.Upstream bench/Tollgate.Bench.Forwarder bench/Tollgate.Bench.Load; do
    name=$(basename "$project")
    dotnet publish "$REPO/$project" -c Release -o "$OUT/$name" --nologo -v quiet -p:UseAppHost=false >"$WORK/build-$name.log" 2>&1 \
      || { tail -n 30 "$WORK/build-$name.log" >&2; fail "building $project failed"; }
  done
fi
LOAD=(dotnet "$OUT/Tollgate.Bench.Load/Tollgate.Bench.Load.dll")

# Every stream holds a socket in the generator, the gateway (two) and the fake.
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
if [ "$(ulimit -n)" != unlimited ] && [ "$(ulimit -n)" -lt $((BENCH_STREAMS * 4 + 1024)) ]; then
  fail "open-file limit $(ulimit -n) is too low for $BENCH_STREAMS streams (raise ulimit -n or lower BENCH_STREAMS)"
fi

# --- 2. The fake upstream and the bare forwarder ------------------------------------------------
log "Starting the fake upstream"
dotnet "$OUT/Tollgate.Bench.Upstream/Tollgate.Bench.Upstream.dll" >"$WORK/upstream.log" 2>&1 &
UPSTREAM_PID=$!
PIDS+=("$UPSTREAM_PID")
UPSTREAM=$(wait_listening "$UPSTREAM_PID" "$WORK/upstream.log") || fail "the fake upstream did not start (log above)"

log "Starting the bare YARP forwarder"
dotnet "$OUT/Tollgate.Bench.Forwarder/Tollgate.Bench.Forwarder.dll" --upstream "$UPSTREAM" >"$WORK/forwarder.log" 2>&1 &
FORWARDER_PID=$!
PIDS+=("$FORWARDER_PID")
FORWARDER=$(wait_listening "$FORWARDER_PID" "$WORK/forwarder.log") || fail "the bare YARP forwarder did not start (log above)"

# --- 3. Tollgate: master key, SQLite in the temp dir, a virtual key made through the admin API ----
log "Starting Tollgate"
MASTER_KEY="sk-bench-master-$RANDOM$RANDOM"
cat >"$WORK/tollgate.yaml" <<EOF
general_settings:
  master_key: $MASTER_KEY
pass_through_providers:
  openai: { api_key: sk-bench-upstream, api_base: "$UPSTREAM" }
EOF
(
  cd "$WORK"
  export DATABASE_URL="sqlite:$WORK/tollgate.db" TOLLGATE_SPEND_SPILL_FILE="$WORK/tollgate-spend-spill.jsonl"
  exec dotnet "$OUT/Tollgate/Tollgate.dll" --config "$WORK/tollgate.yaml" --host 127.0.0.1 --port 0
) >"$WORK/tollgate.log" 2>&1 &
TOLLGATE_PID=$!
PIDS+=("$TOLLGATE_PID")
TOLLGATE=$(wait_listening "$TOLLGATE_PID" "$WORK/tollgate.log") || fail "Tollgate did not start (log above)"
VIRTUAL_KEY=$("${LOAD[@]}" generate-key "$TOLLGATE" "$MASTER_KEY") || fail "could not create a virtual key on Tollgate (log: $WORK/tollgate.log)"

# --- 4. Portkey (optional: the run goes on without it, saying why) -------------------------------
PORTKEY=""
PORTKEY_NOTE=""
if [ "$BENCH_PORTKEY" = 1 ]; then
  if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
    PORTKEY_NOTE="Portkey row skipped: node/npm not found."
  elif ! (cd "$BENCH_DIR/portkey" && { [ node_modules/.package-lock.json -nt package-lock.json ] || npm ci --no-audit --no-fund >"$WORK/npm.log" 2>&1; }); then
    PORTKEY_NOTE="Portkey row skipped: npm ci in bench/portkey failed (see $WORK/npm.log)."
    KEEP_WORK=1
  else
    log "Starting Portkey"
    PORTKEY_PORT=$("${LOAD[@]}" free-port)
    (
      cd "$BENCH_DIR/portkey"
      exec node --require ./loopback.cjs node_modules/@portkey-ai/gateway/build/start-server.js --port="$PORTKEY_PORT" --headless
    ) >"$WORK/portkey.log" 2>&1 &
    PORTKEY_PID=$!
    PIDS+=("$PORTKEY_PID")
    if wait_port "$PORTKEY_PID" "$PORTKEY_PORT"; then
      PORTKEY="http://127.0.0.1:$PORTKEY_PORT"
      PORTKEY_NOTE="Portkey: @portkey-ai/gateway $(sed -n 's/.*"version": "\(.*\)".*/\1/p' "$BENCH_DIR/portkey/node_modules/@portkey-ai/gateway/package.json" | head -n 1) on Node $(node --version), @hono/node-server pinned to 1.13.8 (newer ones break Portkey's streaming, Portkey-AI/gateway#1389)."
    else
      tail -n 20 "$WORK/portkey.log" >&2 || true
      PORTKEY_NOTE="Portkey row skipped: it did not start listening on 127.0.0.1:$PORTKEY_PORT within 30 s (log: $WORK/portkey.log)."
      KEEP_WORK=1
    fi
  fi
else
  PORTKEY_NOTE="Portkey row left out (BENCH_PORTKEY=0)."
fi
[ -n "$PORTKEY" ] || log "$PORTKEY_NOTE"

# --- 5. Measure -----------------------------------------------------------------------------------
TAB=$'\t'
BENCH_HEADERS="x-bench-size,x-bench-events,x-bench-delay-ms,x-bench-think-ms"
{
  echo "direct${TAB}$UPSTREAM/v1/chat/completions${TAB}$UPSTREAM_PID${TAB}Authorization: Bearer sk-bench-upstream"
  echo "yarp${TAB}$FORWARDER/v1/chat/completions${TAB}$FORWARDER_PID${TAB}Authorization: Bearer sk-bench-upstream"
  echo "tollgate${TAB}$TOLLGATE/openai/v1/chat/completions${TAB}$TOLLGATE_PID${TAB}Authorization: Bearer $VIRTUAL_KEY${TAB}x-litellm-tags: bench,e2e"
  if [ -n "$PORTKEY" ]; then
    echo "portkey${TAB}$PORTKEY/v1/chat/completions${TAB}$PORTKEY_PID${TAB}Authorization: Bearer sk-bench-upstream${TAB}x-portkey-provider: openai${TAB}x-portkey-custom-host: $UPSTREAM/v1${TAB}x-portkey-forward-headers: $BENCH_HEADERS"
  fi
} >"$WORK/targets.tsv"

mkdir -p "$BENCH_RESULTS"
RESULT="$BENCH_RESULTS/e2e-$(date -u +%Y-%m-%d).md"
REVISION=$(git -C "$REPO" rev-parse --short HEAD 2>/dev/null || echo unknown)
log "Measuring (rows: $(cut -f1 "$WORK/targets.tsv" | paste -sd ' ' -))"
"${LOAD[@]}" run --targets "$WORK/targets.tsv" --markdown "$RESULT" \
  --warmup "$BENCH_WARMUP" --connections "$BENCH_CONNECTIONS" --duration "$BENCH_DURATION" \
  --c1-duration "$BENCH_C1_DURATION" --rounds "$BENCH_ROUNDS" --rate "$BENCH_RATE" --rate-duration "$BENCH_RATE_DURATION" \
  --rate-connections "$BENCH_RATE_CONNECTIONS" --streams "$BENCH_STREAMS" --events "$BENCH_EVENTS" \
  --event-delay-ms "$BENCH_EVENT_DELAY_MS" --think-ms "$BENCH_THINK_MS" --ramp-ms "$BENCH_RAMP_MS" --size "$BENCH_SIZE" \
  --note "Tollgate: Release build of $REVISION; virtual key from POST /key/generate (SQLite), x-litellm-tags sent, metering and spend logging on." \
  --note "Bare YARP: bench/Tollgate.Bench.Forwarder (IHttpForwarder, the same SocketsHttpHandler settings, nothing else)." \
  --note "$PORTKEY_NOTE" \
  || fail "the measurement failed (server logs in $WORK)"

kill -0 "$TOLLGATE_PID" 2>/dev/null || fail "Tollgate died during the run (log: $WORK/tollgate.log)"
if [ "$BENCH_SOAK_SECONDS" != 0 ]; then
  log "Soak: Tollgate at $BENCH_SOAK_RATE req/s for $BENCH_SOAK_SECONDS s"
  "${LOAD[@]}" soak --targets "$WORK/targets.tsv" --row tollgate --rate "$BENCH_SOAK_RATE" --seconds "$BENCH_SOAK_SECONDS" --markdown "$RESULT" \
    || fail "the soak failed (server logs in $WORK)"
  kill -0 "$TOLLGATE_PID" 2>/dev/null || fail "Tollgate died during the soak (log: $WORK/tollgate.log)"
fi
# Metering and spend logging were on: every forwarded call must have left its row.
SPEND=$("${LOAD[@]}" spend-check "$TOLLGATE") || fail "could not read Tollgate's /metrics"
printf '\n%s\n' "$SPEND" | tee -a "$RESULT"
if grep -qiE "warn|fail|error" "$WORK/tollgate.log"; then
  echo "Tollgate logged warnings or errors during the run (first ones below; full log in $WORK):"
  grep -iE "warn|fail|error" "$WORK/tollgate.log" | head -n 5
  KEEP_WORK=1
fi
