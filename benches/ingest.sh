#!/usr/bin/env bash
# Ingest benchmark: wall clock and peak anonymous memory of `vigil stats` on one input.
#
# usage: benches/ingest.sh FILE_OR_DIR [THREADS] [VIGIL_BIN]
#
# The input is read once first so it is in the page cache. Peak RssAnon is sampled from
# /proc/PID/status every 2 ms by one Python process (no fork per sample, so the sampler
# does not steal the CPU it measures). File-backed pages of the mmapped evidence are
# RssFile, not RssAnon: they are the page cache, not vigil's own memory.
# Prints: input, bytes, events, rejects, wall s, GB/s, peak RssAnon, bytes/event.
set -euo pipefail
input=$1
threads=${2:-2}
bin=${3:-$(dirname "$0")/../target/release/vigil}
find -L "$input" -type f -exec cat {} + > /dev/null
exec python3 - "$bin" "$threads" "$input" << 'PY'
import json, os, subprocess, sys, tempfile, time

bin_, threads, path = sys.argv[1:]
size = 0
for root, _, files in os.walk(path, followlinks=True) if os.path.isdir(path) else [("", [], [path])]:
    size += sum(os.path.getsize(os.path.join(root, f)) for f in files)
# A file, not a pipe: a large report would fill the pipe and block vigil.
out_file = tempfile.TemporaryFile()
start = time.perf_counter()
p = subprocess.Popen([bin_, "stats", "--json", "--threads", threads, path],
                     stdout=out_file, stderr=subprocess.DEVNULL)
peak = 0
status = f"/proc/{p.pid}/status"
while p.poll() is None:
    try:
        with open(status) as f:
            for line in f:
                if line.startswith("RssAnon:"):
                    peak = max(peak, int(line.split()[1]) * 1024)
                    break
    except (FileNotFoundError, ProcessLookupError, ValueError):
        pass
    time.sleep(0.002)
secs = time.perf_counter() - start
out_file.seek(0)
d = json.load(out_file)
ev = d["events"]
print(f"{path}: {size} bytes, {ev} events, {d['rejected']} rejected, {secs:.3f} s, "
      f"{size / secs / 1e9:.2f} GB/s, peak RssAnon {peak / 1e6:.1f} MB = "
      f"{peak / max(ev, 1):.1f} B/event")
PY
