#!/usr/bin/env bash
# A dropped SSH session, for real: vigil runs in tmux, marks an event (journalled), and
# the whole tmux server is killed, so the terminal vigil holds is gone (SIGHUP and a dead
# tty, not a signal with the terminal still there). vigil must save the case file and be
# gone within LIMIT_MS; the caller then checks the file.
# usage: tests/tui_drop.sh VIGIL_BINARY DIR   (DIR holds ev/EVIDENCE.evtx)
set -u
VIGIL=$1 DIR=$2
LIMIT_MS=${LIMIT_MS:-500}
SOCK="vigil-drop-$$"
HOME_DIR=$DIR
EXTRA_ENV=VIGIL_AUTHOR=e2e
FAIL_TAG=drop
. "$(dirname "$0")/tmux_lib.sh"
trap '$T kill-server 2>/dev/null' EXIT
EV=$(ls "$DIR"/ev/*.evtx 2>/dev/null | head -1)
[[ -n $EV ]] || { echo "FAIL (drop): no evidence in $DIR/ev"; exit 1; }
start_shell
keys -l "cd $DIR && $VIGIL --case d.vigil.json ev/$(basename "$EV"); echo EXIT=\$?"
keys Enter
# Loaded: the status line no longer says "loading".
wait_for '^ 1/[0-9]+ events \| 0 annotations +([0-9]+ hits≥[a-z]+ \| )?UTC'
keys j; keys m
wait_for 'severity: l low'
keys h
wait_for 'early-detection saved'
pane=$($T display -p -t e2e '#{pane_pid}')
pid=$(pgrep -P "$pane" -x vigil) || fail "vigil process not found"
# Gone: no process, or a zombie waiting for its parent (which the hang-up ends too).
running() { [[ -d /proc/$pid ]] && ! grep -q '^State:[[:space:]]*Z' "/proc/$pid/status" 2>/dev/null; }
t0=$(date +%s%N)
$T kill-server
while running; do
  (( ($(date +%s%N) - t0) / 1000000 > 5000 )) && break
  sleep 0.005
done
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
if running; then
  kill -9 "$pid" 2>/dev/null
  echo "FAIL (drop): vigil still running ${ms} ms after its terminal went away"
  exit 1
fi
echo "vigil gone ${ms} ms after its terminal went away"
(( ms < LIMIT_MS )) || { echo "FAIL (drop): ${ms} ms (limit ${LIMIT_MS} ms)"; exit 1; }
echo "tmux drop: ok"
