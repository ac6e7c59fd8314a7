#!/usr/bin/env bash
# The table read as a responder reads it, in a real terminal of COLSxROWS (80x24, 60x16):
# network rows give source, destination and port, EVTX rows their host (without its
# domain, the two reception desks apart) and their message, all without the detail pane.
# Then: counts, the clipboard through OSC 52 (tmux with set-clipboard on), Ctrl-Z and fg,
# the help's command list, and a prompt history that outlives the run.
# usage: COLS=80 ROWS=24 [UX_ENV=NO_COLOR=1] tests/tui_ux.sh VIGIL_BINARY SAMPLES_DIR
set -u
VIGIL=$1 SAMPLES=$2
COLS=${COLS:-80} ROWS=${ROWS:-24}
SOCK="vigil-ux-$$"
DIR=$(mktemp -d)
HOME_DIR=$DIR
EXTRA_ENV="XDG_STATE_HOME=$DIR/state ${UX_ENV:-}"
FAIL_TAG="ux ${COLS}x${ROWS}"
. "$(dirname "$0")/tmux_lib.sh"
# (vigil may still be writing its history as the server goes: retry the removal once.)
trap '$T kill-server 2>/dev/null; rm -rf "$DIR" 2>/dev/null || { sleep 0.5; rm -rf "$DIR"; }' EXIT
# Waits until the screen no longer matches a regex (up to ~20 s).
wait_gone() {
  for _ in $(seq 1 200); do
    screen | grep -Eq -- "$1" || return 0
    sleep 0.1
  done
  fail "timed out waiting for /$1/ to go"
}
start_shell
$T set -g set-clipboard on
run_vigil() {
  keys -l "$VIGIL $SAMPLES; echo EXIT=\$?"
  keys Enter
  wait_for '[0-9]+/6972 events'
  # Loaded and indexed.
  wait_gone 'loading|indexing'
}
run_vigil

# Where the beacon went: no detail pane, just the rows.
keys f
keys -l 'dst_ip:185.225.73.18'
keys Enter
wait_for 'of 6972 events'
s=$(screen)
grep -q 'detail (' <<<"$s" && fail "the detail pane is open"
grep -q '10\.20\.1\.21 → 185\.225\.73\.18:443' <<<"$s" || fail "no 'src → dst:port' on the network rows"
if [[ $COLS -ge 80 ]]; then host='WS-RECEP…-01'; else host='WS-REC…-01'; fi
grep -q "$host" <<<"$s" || fail "the host ($host) is not shown"
grep -q 'FG-PER' <<<"$s" || fail "the firewall's host is not shown"

# The early-detection candidates (E): ranked once the analyzers are done, then by host
# with the earliest per host starred (a symbol, not a colour).
wait_gone 'detecting|analyzing'
keys E
wait_for 'candidates, by score'
keys o
wait_for 'by host, in time order'
screen | grep -Eq '(★|\*) +[0-9]\.[0-9]{2} ' || fail "no earliest-on-its-host star"
keys Escape
wait_gone 'candidates, by host'

# EVTX logons: the host, and the message without its id again.
keys f
keys C-u
keys -l 'event_id:4625 host:DC-01'
keys Enter
wait_for 'filter: event_id:4625 host:DC-01'
s=$(screen)
grep -Eq '4625 +failed logon type 3' <<<"$s" || fail "the 4625 message is not readable"
grep -q '4625 4625' <<<"$s" && fail "the id is said twice"
grep -Eq 'DC-01 +4625' <<<"$s" || fail "the host DC-01 is not shown"

# Counts over the filter, then one value's events.
keys F
keys c
keys -l 'dst_port'
keys Enter
wait_for 'dst_port: [0-9]+ value'
screen | grep -Eq '[0-9]+ +[0-9.]+%  443' || fail "443 is not among the counted ports"
keys Escape

# The clipboard: the selected row's message, through tmux.
keys g
keys y
wait_for 'copied the message'
$T show-buffer | grep -q 'logoff' || fail "the clipboard lacks the message: $($T show-buffer)"

# Ctrl-Z gives the shell back; fg takes the screen again.
keys C-z
wait_for 'Stopped'
keys -l 'fg'
keys Enter
wait_for '[0-9]+/6972 events'

# Help lists the commands and the query language.
keys '?'
keys G
wait_for ':top FIELD'
keys Escape
keys q
# (The shell went on with `echo` when the job stopped: ask for the status of `fg`.)
wait_for 'PROMPT\$ ?$'
keys -l 'echo FG=$?'
keys Enter
wait_for 'FG=0'

# The filter history outlives the run.
run_vigil
keys f
keys C-u
keys Up
keys Up
screen | grep -q 'filter: dst_ip:185.225.73.18' || fail "the filter history was not kept"
keys Escape
keys q
wait_for 'EXIT=0'
[[ $(stat -c %a "$DIR/state/vigil/history/filter") == 600 ]] || fail "the history file is not 0600"
echo "tmux ux ${COLS}x${ROWS}: ok"
