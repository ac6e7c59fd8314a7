#!/usr/bin/env bash
# Ingest benchmark: wall clock and peak anonymous memory of `vigil stats` on one file.
#
# usage: benches/ingest.sh FILE_OR_DIR [THREADS] [VIGIL_BIN]
#
# The input is read once first so it is in the page cache. Peak RssAnon is sampled from
# /proc/PID/status every 2 ms (file-backed pages of the mmapped evidence are RssFile and
# are not counted: they are the page cache, not vigil's memory). Prints one line:
#   file bytes events secs GB/s peak_rss_anon_bytes bytes/event
set -euo pipefail
file=$1
threads=${2:-2}
bin=${3:-$(dirname "$0")/../target/release/vigil}
find "$file" -type f -exec cat {} + > /dev/null
bytes=$(find "$file" -type f -printf '%s\n' | awk '{s += $1} END {print s}')
out=$(mktemp)
start=$(date +%s.%N)
"$bin" stats --json --threads "$threads" "$file" > "$out" &
pid=$!
peak=0
while kill -0 "$pid" 2> /dev/null; do
    kb=$(awk '/^RssAnon:/ {print $2}' "/proc/$pid/status" 2> /dev/null || true)
    if [[ -n "${kb:-}" && "$kb" -gt "$peak" ]]; then peak=$kb; fi
    sleep 0.002
done
wait "$pid" || true
end=$(date +%s.%N)
events=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["events"])' "$out")
rejected=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["rejected"])' "$out")
rm -f "$out"
python3 - "$file" "$bytes" "$events" "$rejected" "$start" "$end" "$peak" << 'PY'
import sys
f, b, ev, rej, s, e, peak = sys.argv[1:]
b, ev, rej, secs, peak = int(b), int(ev), int(rej), float(e) - float(s), int(peak) * 1024
print(f"{f}: {b} bytes, {ev} events, {rej} rejected, {secs:.3f} s, {b / secs / 1e9:.2f} GB/s, "
      f"peak RssAnon {peak / 1e6:.1f} MB = {peak / max(ev, 1):.1f} B/event")
PY
