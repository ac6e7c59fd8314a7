#!/usr/bin/env bash
# Issue 16's figures in one run, against the peers, with ratios:
#   - `vigil export -F jsonl` vs `evtx_dump -t 2 -o jsonl` on `vigil sample --scale N` EVTX;
#   - `export -F csv` and `-F timesketch` vs `-F jsonl`;
#   - `vigil stats` vs evtx_dump on that EVTX and on the 12 largest corpus EVTX files.
# Commands are run alternately (round-robin, ROUNDS rounds), so load from other work on the
# machine hits every command alike; each figure is the median wall time and the median CPU
# time (user+sys). hyperfine would run each command's rounds back to back, which on a shared
# machine compares different moments, not different programs.
#
# Usage: benches/speed.sh [VIGIL] [BEFORE_VIGIL]
#   VIGIL         default target/release/vigil
#   BEFORE_VIGIL  optional second binary (say, the release before a change): its figures
#                 are printed in a "before" column beside VIGIL's.
# Env: SCALE (100), ROUNDS (3), THREADS (2), WORK (a fresh /tmp dir; never the repo),
#      EVTX_DUMP (/root/.cargo/bin/evtx_dump), CORPUS (../shared/corpus).
set -euo pipefail
cd "$(dirname "$0")/.."
VIGIL=$(realpath "${1:-target/release/vigil}")
BEFORE=${2:+$(realpath "$2")}
SCALE=${SCALE:-100}
ROUNDS=${ROUNDS:-3}
THREADS=${THREADS:-2}
EVTX_DUMP=${EVTX_DUMP:-/root/.cargo/bin/evtx_dump}
CORPUS=${CORPUS:-../shared/corpus}
WORK=${WORK:-$(mktemp -d /tmp/vigil-speed.XXXXXX)}
for b in "$VIGIL" ${BEFORE:+"$BEFORE"} "$EVTX_DUMP"; do
    [ -x "$b" ] || { echo "speed.sh: $b: not an executable" >&2; exit 1; }
done

echo "# $(date -u +%FT%TZ) $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "# vigil: $VIGIL${BEFORE:+  before: $BEFORE}  evtx_dump: $EVTX_DUMP"
echo "# busy besides this run (top CPU users):"
ps -eo pcpu=,comm= --sort=-pcpu | head -5 | sed 's/^/#   /'

SAMPLE="$WORK/sample-$SCALE"
if [ ! -d "$SAMPLE/evtx" ]; then
    "$VIGIL" sample --scale "$SCALE" -o "$SAMPLE" >/dev/null
fi
EVTX="$SAMPLE/evtx"
mapfile -t BIG < <(find "$CORPUS" -type f -iname '*.evtx' -printf '%s\t%p\n' 2>/dev/null |
    sort -rn | head -12 | cut -f2)
BIGDIR="$WORK/corpus12"
rm -rf "$BIGDIR" && mkdir -p "$BIGDIR"
for f in "${BIG[@]}"; do ln -s "$(realpath "$f")" "$BIGDIR/$(printf '%s' "$f" | md5sum | cut -c1-8)-$(basename "$f")"; done
echo "# sample: $(du -shL "$EVTX" | cut -f1) EVTX, $(find "$EVTX" -type f | wc -l) files; corpus: ${#BIG[@]} largest EVTX, $(du -shL "$BIGDIR" | cut -f1)"

# evtx_dump takes one file at a time: all of a directory's files, one after the other.
dump_all() { # DIR
    find -L "$1" -type f -iname '*.evtx' -print0 |
        xargs -0 -n1 "$EVTX_DUMP" -t "$THREADS" -o jsonl >/dev/null 2>&1 || true
}
export -f dump_all
export EVTX_DUMP THREADS

# NAME=COMMAND pairs, run round-robin; per name: lines "wall cpu".
declare -a NAMES CMDS
add() { NAMES+=("$1"); CMDS+=("$2"); }
vig() { # BIN LABEL
    add "$2.export.jsonl" "'$1' export -F jsonl --threads $THREADS '$EVTX' >/dev/null 2>&1"
    add "$2.export.csv" "'$1' export -F csv --threads $THREADS '$EVTX' >/dev/null 2>&1"
    add "$2.export.timesketch" "'$1' export -F timesketch --threads $THREADS '$EVTX' >/dev/null 2>&1"
    add "$2.stats.sample" "'$1' stats --threads $THREADS '$EVTX' >/dev/null 2>&1"
    add "$2.stats.corpus" "'$1' stats --threads $THREADS '$BIGDIR' >/dev/null 2>&1"
}
vig "$VIGIL" now
[ -n "$BEFORE" ] && vig "$BEFORE" before
add "dump.sample" "dump_all '$EVTX'"
add "dump.corpus" "dump_all '$BIGDIR'"

TIMES="$WORK/times"
: >"$TIMES"
for r in $(seq "$ROUNDS"); do
    for k in "${!NAMES[@]}"; do
        t=$( { /usr/bin/time -f '%e %U %S' bash -c "${CMDS[$k]} || true" >/dev/null; } 2>&1 | tail -1)
        echo "${NAMES[$k]} $t" >>"$TIMES"
    done
    echo "# round $r/$ROUNDS done" >&2
done

# Median wall and CPU of NAME: "wall cpu".
med() {
    awk -v n="$1" '$1 == n { print $2, $3 + $4 }' "$TIMES" |
        sort -n -k1,1 | awk '{ w[NR] = $1 } END { m = int((NR + 1) / 2); printf "%s ", w[m] }'
    awk -v n="$1" '$1 == n { print $3 + $4 }' "$TIMES" |
        sort -n | awk '{ c[NR] = $1 } END { m = int((NR + 1) / 2); printf "%s\n", c[m] }'
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "-" }'; }

row() { # LABEL NAME PEER TARGET (PEER "self.X": the same binary's X)
    local label=$1 name=$2 peer=$3 target=$4 line
    line=$(printf '%-34s' "$label")
    for who in now ${BEFORE:+before}; do
        local p=$peer
        [[ $p == self.* ]] && p="$who.${p#self.}"
        read -r pw pc <<<"$(med "$p")"
        read -r w c <<<"$(med "$who.$name")"
        line+=$(printf ' | %-6s %6.2fs wall %6.2fs cpu = %5s× wall %5s× cpu of %.2fs/%.2fs' \
            "$who" "$w" "$c" "$(ratio "$w" "$pw")" "$(ratio "$c" "$pc")" "$pw" "$pc")
    done
    echo "$line | target $target"
}

echo
echo "## medians of $ROUNDS alternating rounds, $THREADS threads each; ratios are vigil / peer"
row "export jsonl vs evtx_dump jsonl" export.jsonl dump.sample "<= 1.0x"
row "export csv vs export jsonl" export.csv self.export.jsonl "<= 1.2x"
row "export timesketch vs export jsonl" export.timesketch self.export.jsonl "<= 1.2x"
row "stats (sample) vs evtx_dump" stats.sample dump.sample "<= 0.8x"
row "stats (12 corpus) vs evtx_dump" stats.corpus dump.corpus "<= 0.8x"
echo "# raw times (name wall user sys): $TIMES"
