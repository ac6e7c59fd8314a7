#!/usr/bin/env bash
# Seeds every fuzz target's corpus and runs the targets one after another.
#
#   fuzz/run.sh [SECONDS] [TARGET...]     default: 60 s each, every target
#   fuzz/run.sh --seed-only [TARGET...]   only (re)build fuzz/corpus/
#
# Seeds come from the shared corpus (`../shared/corpus` beside the checkout, or
# $VIGIL_SHARED/corpus), the repository's `samples/` and the small seeds of our own in
# `fuzz/seeds/`; they are copied into `fuzz/corpus/TARGET/` (not committed) and libFuzzer
# adds what it finds there. Text files are cut to their first 4 KiB at a line end. The
# text targets read a selector byte first (format and zone, see `vigil::fuzzing`), so
# each seed is stored once per format it belongs to.
#
# Environment: FUZZ_TOOLCHAIN (default nightly; `stable` works with `-s none`),
# FUZZ_ARGS (more libFuzzer flags), NICE (default 10: the machine is shared).
# Crashes land in fuzz/artifacts/TARGET/, logs in fuzz/logs/TARGET.log; the script goes
# on with the next target and exits 1 if any target failed.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
cd "$here"

ALL=(evtx_file evtx_chunk firewall_lines key_value by_position cef syslog_mixed edr_json edr_csv edr_mapped query case)

seed_only=false
if [[ ${1:-} == --seed-only ]]; then
  seed_only=true
  shift
  secs=0
else
  secs=${1:-60}
  [[ $# -gt 0 ]] && shift
fi
targets=("$@")
[[ ${#targets[@]} -eq 0 ]] && targets=("${ALL[@]}")

shared=${VIGIL_SHARED:-}
if [[ -z $shared ]]; then
  for s in "$root/../shared" "$root/../../shared"; do
    [[ -d $s/corpus ]] && shared=$s && break
  done
fi
corpus=${shared:+$shared/corpus}
if [[ -z $corpus || ! -d $corpus ]]; then
  echo "run.sh: no shared corpus found (set VIGIL_SHARED); seeding from samples/ and fuzz/seeds/ only" >&2
  corpus=/nonexistent
fi
samples=$root/samples
TEXT_MAX=4096

# put TARGET SELECTOR FILE...: copies each file into the target's corpus, behind the
# selector byte (`-` for none), text cut at a line end.
put() {
  local target=$1 sel=$2
  shift 2
  local dir=corpus/$target f name
  mkdir -p "$dir"
  for f in "$@"; do
    [[ -f $f ]] || continue
    name=$(basename "$f" | tr -c 'A-Za-z0-9._\n-' '_')
    if [[ $sel == - ]]; then
      cp "$f" "$dir/$name"
      continue
    fi
    {
      printf "\\x$(printf %02x "$sel")"
      if [[ $(stat -c %s "$f") -gt $TEXT_MAX ]]; then
        head -c "$TEXT_MAX" "$f" | sed '$d'
      else
        cat "$f"
      fi
    } >"$dir/s$(printf %02x "$sel")-$name"
  done
}

# Files of shared corpus folders (relative to corpus/).
from() {
  local d
  for d in "$@"; do
    [[ -d $corpus/$d ]] && find "$corpus/$d" -type f | sort
  done
  return 0
}

# The family's formats by selector; its last selector (sniffing) gets every file.
family() {
  local target=$1
  shift
  local i=0 all=() spec dirs files
  for spec in "$@"; do
    read -r -a dirs <<<"$spec"
    mapfile -t files < <(from "${dirs[@]}")
    put "$target" "$i" "${files[@]}"
    all+=("${files[@]}")
    i=$((i + 1))
  done
  put "$target" "$i" "${all[@]}"
}

own() {
  [[ -d seeds/$1 ]] && cp seeds/"$1"/* "corpus/$1/" 2>/dev/null
  return 0
}

evtx_files() {
  { from evtx; find "$samples" -name '*.evtx' -type f 2>/dev/null | sort; } |
    while read -r f; do [[ $(stat -c %s "$f") -le 300000 ]] && echo "$f"; done
  return 0
}

seed() {
  local t=$1 f n i size name
  mkdir -p "corpus/$t"
  case $t in
    evtx_file)
      mapfile -t fs < <(evtx_files)
      put evtx_file - "${fs[@]}"
      ;;
    evtx_chunk)
      # Every non-empty chunk of every EVTX file.
      { from evtx; find "$samples" -name '*.evtx' -type f | sort; } | while read -r f; do
        size=$(stat -c %s "$f")
        n=$(((size - 4096 + 65535) / 65536))
        name=$(basename "$f" | tr -c 'A-Za-z0-9._\n-' '_')
        for ((i = 0; i < n && i < 32; i++)); do
          dd if="$f" of="corpus/evtx_chunk/$name.c$i" bs=65536 count=1 \
            iflag=skip_bytes skip=$((4096 + i * 65536)) status=none
          # All zeros (unused slots): nothing to parse.
          if cmp -s -n 65536 "corpus/evtx_chunk/$name.c$i" /dev/zero; then
            rm -f "corpus/evtx_chunk/$name.c$i"
          fi
        done
      done
      ;;
    firewall_lines)
      family firewall_lines "firewall/cisco-asa" "firewall/iptables" "firewall/juniper-srx"
      put firewall_lines 0 "$samples"/firewall/asa-*.log
      put firewall_lines 1 "$samples"/firewall/netfilter-*.log
      ;;
    key_value)
      family key_value "firewall/fortigate" "firewall/sophos-xg" "firewall/checkpoint"
      put key_value 0 "$samples"/firewall/fortigate-*.log
      ;;
    by_position)
      family by_position "firewall/windows-firewall" "firewall/pfsense-filterlog" "firewall/panos"
      ;;
    cef)
      own cef
      ;;
    syslog_mixed)
      own syslog_mixed
      # A syslog server's file: the first lines of every firewall file, interleaved.
      mapfile -t fs < <(from firewall; find "$samples/firewall" -type f | sort)
      local tmp mix
      tmp=$(mktemp -d)
      mix=$tmp/interleaved.log
      for ((i = 1; i <= 40; i += 4)); do
        for f in "${fs[@]}"; do
          sed -n "${i},$((i + 3))p" "$f" | cut -c1-2000 >>"$mix"
        done
      done
      put syslog_mixed 0 "$mix"
      put syslog_mixed 1 "$mix"
      rm -rf "$tmp"
      ;;
    edr_json)
      family edr_json "edr/sysmon-json" "edr/mde-advanced-hunting" "edr/crowdstrike-fdr" \
        "edr/elastic-endpoint" "edr/velociraptor" "edr/sentinelone-dv" "edr/carbon-black"
      put edr_json 1 "$samples"/edr/mde-*.json
      put edr_json 2 "$samples"/edr/crowdstrike-*.ndjson
      ;;
    edr_csv)
      own edr_csv
      put edr_csv 0 "$samples"/edr/mde-*.csv
      put edr_csv 2 "$samples"/edr/mde-*.csv
      ;;
    edr_mapped)
      # sel mapping NUL file: each mapping of fuzz/maps/ with the shared corpus folder
      # (or sample) it was written for, in two zones.
      local m base files
      for m in maps/*.json; do
        base=$(basename "$m" .json)
        if [[ $base == mde-csv ]]; then
          files=("$samples"/edr/mde-*.csv)
        else
          mapfile -t files < <(from "edr/$base")
        fi
        for f in "${files[@]}"; do
          [[ -f $f ]] || continue
          name=$(basename "$f" | tr -c 'A-Za-z0-9._\n-' '_')
          for sel in 0 32; do
            {
              printf "\\x$(printf %02x "$sel")"
              tr -d '\n' <"$m"
              printf '\0'
              if [[ $(stat -c %s "$f") -gt $TEXT_MAX ]]; then
                head -c "$TEXT_MAX" "$f" | sed '$d'
              else
                cat "$f"
              fi
            } >"corpus/edr_mapped/s$(printf %02x "$sel")-$base-$name"
          done
        done
      done
      ;;
    query | case)
      own "$t"
      ;;
    *)
      echo "run.sh: unknown target $t" >&2
      return 1
      ;;
  esac
  echo "seeded $t: $(find "corpus/$t" -type f | wc -l) files"
}

max_len() {
  case $1 in
    evtx_file) echo 300000 ;;
    evtx_chunk) echo 65536 ;;
    query) echo 1024 ;;
    case) echo 16384 ;;
    edr_mapped) echo $((TEXT_MAX + 1024)) ;;
    *) echo $((TEXT_MAX + 1)) ;;
  esac
}

dict() {
  [[ -f dict/$1.dict ]] && echo "-dict=dict/$1.dict"
  return 0
}

$seed_only && { for t in "${targets[@]}"; do seed "$t"; done; exit 0; }

# Built once, then run from a copy: edits and rebuilds during a long run do not change
# the targets still to come. One thread: the rayon pools of ingest stay on one core.
tc=${FUZZ_TOOLCHAIN:-nightly}
nice -n "${NICE:-10}" cargo "+$tc" fuzz build -s none -a
triple=$(rustc "+$tc" -vV | sed -n 's/^host: //p')
bin=target/run-bin
mkdir -p "$bin" logs
for t in "${targets[@]}"; do
  cp "target/$triple/release/$t" "$bin/$t"
done
export RAYON_NUM_THREADS=1

status=0
for t in "${targets[@]}"; do
  seed "$t"
  echo "== $t: ${secs}s"
  mkdir -p "artifacts/$t"
  set +e
  # shellcheck disable=SC2046,SC2086
  nice -n "${NICE:-10}" "$bin/$t" "corpus/$t" -artifact_prefix="artifacts/$t/" \
    -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -max_len="$(max_len "$t")" \
    -print_final_stats=1 $(dict "$t") ${FUZZ_ARGS:-} >"logs/$t.log" 2>&1
  rc=$?
  set -e
  grep -E '^#[0-9]+[[:space:]]+(INITED|DONE)|^Done [0-9]+ runs|panicked at|^SUMMARY' "logs/$t.log" || true
  if [[ $rc -ne 0 ]]; then
    echo "!! $t failed (exit $rc): see fuzz/logs/$t.log and fuzz/artifacts/$t/"
    status=1
  fi
done
exit $status
