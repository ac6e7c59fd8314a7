#!/usr/bin/env bash
# The whole benchmark: generate the logs (if missing), then for each one the best of
# RUNS vigil runs (benches/ingest.sh) and one lnav run.
#
# usage: benches/run.sh [DIR] [RUNS]      (DIR default /tmp/vigil-bench, RUNS default 3)
# Needs a release build (cargo build --release) and lnav for the comparison.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
dir=${1:-/tmp/vigil-bench}
runs=${2:-3}
mkdir -p "$dir"
for kind in netfilter fortigate fortigate-syslog; do
    [[ -s "$dir/$kind.log" ]] || TZ=Europe/Paris python3 "$here/gen_fw.py" "$kind" "$dir/$kind.log" 420
done
echo "load: $(cut -d' ' -f1-3 /proc/loadavg)"
for kind in netfilter fortigate fortigate-syslog; do
    f=$dir/$kind.log
    for _ in $(seq "$runs"); do "$here/ingest.sh" "$f" 2; done
    if command -v lnav > /dev/null; then
        /usr/bin/time -f "lnav $kind: %e s wall, %U s user, max RSS %M kB" \
            lnav -n -c ';SELECT count(*) FROM all_logs' "$f" 2>&1 | tr -s ' \n' ' '
        echo
    fi
done
