#!/usr/bin/env bash
# Coverage-guided fuzzing (issue 12): AFL++ drives fuzz/Tollgate.Fuzz through SharpFuzz, one target
# at a time, each for FUZZ_SECONDS. Exits non-zero when any target finds a crash or a hang.
#
#   fuzz/run.sh                      every target, 300 s each
#   fuzz/run.sh sse eventstream      only these
#   FUZZ_SECONDS=60 fuzz/run.sh      shorter
#
# Targets: sse, eventstream, jsonseq, guardrail-json, upstream-path. Seeds are in fuzz/corpus/<target>,
# the tokens AFL++ splices in (the formats' syntax and the fields the parsers read) in fuzz/dictionaries;
# findings land in fuzz/.out/findings/<target>/default/{crashes,hangs}. To reproduce one:
#   dotnet run --project fuzz/Tollgate.Fuzz -- <target> <file>
set -euo pipefail

FUZZ_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ALL_TARGETS=(sse eventstream jsonseq guardrail-json upstream-path)

: "${FUZZ_SECONDS:=300}"        # per target
: "${FUZZ_TIMEOUT_MS:=10000}"   # one input slower than this is a hang
: "${FUZZ_SKIP_BUILD:=0}"       # 1 reuses fuzz/.out/bin from the last run

OUT="$FUZZ_DIR/.out"
BIN="$OUT/bin"
TARGETS=("$@")
[ ${#TARGETS[@]} -gt 0 ] || TARGETS=("${ALL_TARGETS[@]}")

log() { printf '== %s\n' "$*" >&2; }
fail() {
  printf 'fuzz/run.sh: %s\n' "$*" >&2
  exit 1
}

for target in "${TARGETS[@]}"; do
  [ -d "$FUZZ_DIR/corpus/$target" ] || fail "unknown target '$target' (one of: ${ALL_TARGETS[*]})"
done

if ! command -v afl-fuzz > /dev/null; then
  log "installing AFL++"
  apt-get update -qq && apt-get install -y -qq afl++ > /dev/null
fi

export PATH="$PATH:$HOME/.dotnet/tools"
if ! command -v sharpfuzz > /dev/null; then
  log "installing the sharpfuzz tool"
  dotnet tool install --global SharpFuzz.CommandLine --version 2.3.0 > /dev/null
fi

if [ "$FUZZ_SKIP_BUILD" != 1 ]; then
  log "publishing Tollgate.Fuzz (Release) and instrumenting Tollgate.dll"
  rm -rf "$BIN"
  dotnet publish "$FUZZ_DIR/Tollgate.Fuzz/Tollgate.Fuzz.csproj" -c Release -o "$BIN" --nologo -v quiet > /dev/null

  # The seeds must pass before fuzzing (a failing seed is a bug in the harness or the product); once
  # instrumented, Tollgate.dll runs only under afl-fuzz.
  for target in "${TARGETS[@]}"; do
    dotnet "$BIN/Tollgate.Fuzz.dll" "$target" "$FUZZ_DIR"/corpus/"$target"/* || fail "a seed of '$target' fails"
  done

  sharpfuzz "$BIN/Tollgate.dll"
fi

# No terminal, no core-dump helper and other processes on the cores: AFL++ is told not to expect them.
export AFL_SKIP_BIN_CHECK=1 AFL_NO_UI=1 AFL_NO_AFFINITY=1 AFL_SKIP_CPUFREQ=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1

SUMMARY="$OUT/summary.txt"
: > "$SUMMARY"
found=0
for target in "${TARGETS[@]}"; do
  findings="$OUT/findings/$target"
  rm -rf "$findings"
  mkdir -p "$OUT/findings"
  log "fuzzing $target for ${FUZZ_SECONDS}s"
  afl-fuzz -V "$FUZZ_SECONDS" -t "$FUZZ_TIMEOUT_MS" -m none -i "$FUZZ_DIR/corpus/$target" -o "$findings" -x "$FUZZ_DIR/dictionaries/$target.dict" \
    -- "$(command -v dotnet)" "$BIN/Tollgate.Fuzz.dll" "$target" > "$OUT/$target.log" 2>&1 || fail "afl-fuzz stopped on $target (see $OUT/$target.log)"

  stats="$findings/default/fuzzer_stats"
  stat() { sed -n "s/^$1 *: *//p" "$stats"; }
  crashes=$(stat saved_crashes)
  hangs=$(stat saved_hangs)
  line="$target: $(stat run_time) s, $(stat execs_done) executions ($(stat execs_per_sec)/s), $(stat corpus_count) inputs in the queue, $(stat edges_found) edges, $crashes crashes, $hangs hangs"
  echo "$line" | tee -a "$SUMMARY"
  if [ "$crashes" != 0 ] || [ "$hangs" != 0 ]; then
    found=1
    log "findings for $target in $findings/default"
  fi
done

[ "$found" = 0 ] || fail "findings (see above)"
log "no findings; summary in $SUMMARY"
