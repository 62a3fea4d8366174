#!/usr/bin/env bash
# Reruns every benchmark in the project, then a short msez-load run against a real node, in
# under 15 minutes on the project's 2-core machine (the one release build not counted). Results are
# printed and kept under target/bench-all/<UTC time>/; the numbers belong in
# docs/PERFORMANCE.md (one section per bench: command, machine, date, numbers, load average).
#
# Knobs (environment):
#   BENCH_MEASURE_S      criterion measurement time per bench function (default 2)
#   MSEZ_BENCH_SECONDS   each persistence throughput phase (default 5)
#   LOAD_CORRIDORS       corridors in the msez-load run (default 2000)
#   LOAD_DURATION_S      seconds of each msez-load phase (default 30)
#   LOAD_RATE            open-loop target of the second msez-load phase (default 2000/s)
#   LOAD_DATABASE_URL    Postgres for the msez-load node (default: SQLite in a temporary directory;
#                        each run's corridor ids are fresh, so one database serves both phases)
#   MSEZ_TEST_DATABASE_URL  Postgres for the persistence bench (default local `test`)
#
# Every bench runs once: timings on a shared machine are noisy, so the load average is printed
# before and after each one rather than rerunning until a number looks good.
set -uo pipefail
cd "$(dirname "$0")/.."

export MSEZ_TEST_DATABASE_URL="${MSEZ_TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/test}"
export MSEZ_BENCH_SECONDS="${MSEZ_BENCH_SECONDS:-5}"
measure_s="${BENCH_MEASURE_S:-2}"
load_corridors="${LOAD_CORRIDORS:-2000}"
load_duration_s="${LOAD_DURATION_S:-30}"
load_rate="${LOAD_RATE:-2000}"
target_dir="${CARGO_TARGET_DIR:-target}"
out="$target_dir/bench-all/$(date -u +%Y%m%dT%H%M%SZ)"
mkdir -p "$out"
failures=()

log() { printf '[bench-all] %s\n' "$*" >&2; }
loadavg() { cut -d' ' -f1-3 /proc/loadavg; }

log "machine: nproc=$(nproc), $(awk '/MemTotal/ {printf "%.1f GiB", $2/1048576}' /proc/meminfo), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
log "date: $(date -u +%Y-%m-%dT%H:%M:%SZ); results in $out"

# One release build of every binary and every [[bench]] of the workspace. Running the bench
# executables it reports, rather than `cargo bench -p PACKAGE` per package, avoids the
# per-package feature resolution that rebuilt a few crates three times (27 minutes in all on
# 2026-12-07, against 15 asked for).
log "building every binary and bench (release)"
if ! cargo build --release --workspace --bins --benches --message-format=json-render-diagnostics \
    >"$out/build.json" 2>"$out/build.txt"; then
  log "FAILED: release build (see $out/build.txt)"
  exit 1
fi
# "<crate directory> <bench> <executable>" for every bench target, from cargo's own artifact
# list (a workspace package id starts with the crate's path).
benches="$(python3 - "$out/build.json" <<'PY'
import json, sys
for line in open(sys.argv[1]):
    try:
        message = json.loads(line)
    except ValueError:
        continue
    target = message.get("target", {})
    if message.get("reason") == "compiler-artifact" and "bench" in target.get("kind", []) and message.get("executable"):
        crate_dir = message["package_id"].split("#")[0].rstrip("/").split("/")[-1]
        print(crate_dir, target["name"], message["executable"])
PY
)"

# Criterion benches get short measurement flags; bench binaries with their own main run as
# they are. `--bench` is what `cargo bench` passes, and what the binaries key their full
# (non-smoke) mode on.
while read -r crate_dir bench executable; do
  [ -n "$executable" ] || continue
  source="$crate_dir/benches/$bench.rs"
  args=(--bench)
  if grep -q 'criterion_main!\|configure_from_args' "$source" 2>/dev/null; then
    args+=(--warm-up-time 1 --measurement-time "$measure_s")
  fi
  log "$crate_dir/$bench: $executable ${args[*]} (load average $(loadavg))"
  if ! "$executable" "${args[@]}" >"$out/$crate_dir-$bench.txt" 2>&1; then
    failures+=("$crate_dir/$bench")
    log "FAILED: $crate_dir/$bench (see $out/$crate_dir-$bench.txt)"
  fi
  log "done (load average $(loadavg)); output $out/$crate_dir-$bench.txt"
done <<<"$benches"

# The whole node over HTTP: msez-load starts `msez serve` (SQLite in a temporary directory, or
# LOAD_DATABASE_URL),
# runs closed-loop (maximum throughput), then open-loop at LOAD_RATE, verifying every chain.
if [ -x "$target_dir/release/msez" ] && [ -x "$target_dir/release/msez-load" ]; then
  token="bench-all-admin-token-$(date +%s)"
  operator_token="bench-all-operator-token-$(date +%s)"
  tokens_file="$out/tokens.json"
  printf '{"tokens":[{"name":"bench-all","role":"operator","sha256":"%s"}]}' \
    "$(printf %s "$operator_token" | sha256sum | cut -d' ' -f1)" >"$tokens_file"
  port=$((20000 + RANDOM % 20000))
  for phase in closed open; do
    data_dir="$(mktemp -d)"
    rate_args=()
    if [ "$phase" = open ]; then rate_args=(--rate "$load_rate"); fi
    log "msez-load $phase-loop: $load_corridors corridors, ${load_duration_s}s (load average $(loadavg))"
    if ! MSEZ_ADMIN_TOKEN="$token" MSEZ_LOAD_TOKEN="$token" MSEZ_LOAD_OPERATOR_TOKEN="$operator_token" \
        "$target_dir/release/msez-load" \
        --url "http://127.0.0.1:$port" \
        --node-cmd "$target_dir/release/msez serve --listen 127.0.0.1:$port --data-dir $data_dir ${LOAD_DATABASE_URL:+--database-url $LOAD_DATABASE_URL} --tokens-file $tokens_file --rate-limit-per-second 0 --zone schemas/examples/zone.yaml" \
        --node-log "$out/msez-load-$phase-node.log" \
        --corridors "$load_corridors" --duration "$load_duration_s" --concurrency 64 "${rate_args[@]}" \
        --out "$out/msez-load-$phase.json" >"$out/msez-load-$phase.txt" 2>"$out/msez-load-$phase.progress"; then
      failures+=("msez-load/$phase")
      log "FAILED: msez-load $phase-loop (see $out/msez-load-$phase.txt and .progress)"
    fi
    rm -rf "$data_dir"
    log "done (load average $(loadavg))"
    tail -n 12 "$out/msez-load-$phase.txt" >&2
  done
else
  failures+=("build")
  log "FAILED: the release build left no msez or msez-load in $target_dir/release"
fi

log "all outputs: $out"
log "record the numbers in docs/PERFORMANCE.md (command, machine, date, numbers, load average)"
if [ "${#failures[@]}" -gt 0 ]; then
  log "failed: ${failures[*]}"
  exit 1
fi
