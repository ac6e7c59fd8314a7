#!/usr/bin/env bash
# Sigma figures (issue 13): all SigmaHQ Windows rules over `vigil sample --scale N` EVTX
# (benches/sigma.rs: events/s per core, projection to 10 M events, rule-set memory, hit
# bytes/event), then `vigil hunt` against `evtx_dump -t 2 -o jsonl` on the corpus EVTX.
#
# usage: benches/sigma.sh [SCALE] [DIR]     (SCALE default 100, DIR default /tmp/vigil-sigma)
# Needs `cargo build --release --bins --benches`, ../shared/{sigma,corpus}, and evtx_dump
# ($EVTX_DUMP, default ~/.cargo/bin/evtx_dump). Shared machine: compare CPU seconds
# (user + sys), not wall time. Chainsaw cannot be built here (its git dependencies cannot
# be fetched); SIGMA.md §6 measured it at ≈ 24 CPU-s on the same corpus EVTX (reference).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
scale=${1:-100}
dir=${2:-/tmp/vigil-sigma}
shared=${SHARED:-$root/../shared}
vigil=$root/target/release/vigil
evtx_dump=${EVTX_DUMP:-$HOME/.cargo/bin/evtx_dump}
bench=$(ls -t "$root"/target/release/deps/sigma-* | grep -v '\.d$' | head -1)
rules=("$shared/sigma/rules/windows" "$shared/sigma/rules-emerging-threats" "$shared/sigma/rules-threat-hunting")

[[ -d "$dir/evtx" ]] || "$vigil" sample --scale "$scale" -o "$dir" > /dev/null
echo "load: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "== detection over $dir/evtx (all SigmaHQ Windows rules)"
VIGIL_BENCH_RULES=$(IFS=:; echo "${rules[*]}") VIGIL_BENCH_EVIDENCE=$dir/evtx "$bench" | grep -v '^  memo'

echo "== vigil hunt vs evtx_dump -t 2 -o jsonl on the corpus EVTX"
mapfile -t files < <(find "$shared/corpus" -name '*.evtx' | sort)
# "CPU WALL" seconds of a command (user + sys; its output discarded).
timed() {
    local out
    out=$(mktemp)
    /usr/bin/time -o "$out" -f '%U %S %e' "$@" > /dev/null 2>&1 || true
    tail -1 "$out" | awk '{print $1 + $2, $3}'
    rm -f "$out"
}
# One `time` over the whole loop (its children's CPU summed by the kernel): timing each
# file and adding up undercounted, as `time` prints whole hundredths and most corpus files
# take a few milliseconds (0.00 each). `evtx_dump` reads one file per run: the loop is how
# it parses them all.
read -r dump dump_wall < <(timed bash -c 'for f in "${@:2}"; do "$1" -t 2 -o jsonl "$f" > /dev/null; done' _ "$evtx_dump" "${files[@]}")
rule_args=()
for r in "${rules[@]}"; do rule_args+=(--rules "$r"); done
read -r hunt hunt_wall < <(timed "$vigil" hunt --threads 2 "${rule_args[@]}" "${files[@]}")
# (`hunt --no-rules` refuses to run: ingest alone is `stats`.)
read -r parse _ < <(timed "$vigil" stats --threads 2 "${files[@]}")
echo "${#files[@]} files: evtx_dump ${dump} cpu-s, ${dump_wall} s wall; vigil hunt ${hunt} cpu-s, ${hunt_wall} s wall (vigil stats, ingest only: ${parse} cpu-s)"
awk -v h="$hunt" -v d="$dump" -v hw="$hunt_wall" -v dw="$dump_wall" 'BEGIN {printf "vigil hunt / evtx_dump = %.2f cpu, %.2f wall (target <= 2); Chainsaw (SIGMA.md §6, not built here): ~24 cpu-s\n", h / d, hw / dw}'
