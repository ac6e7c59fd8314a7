#!/usr/bin/env bash
# End-to-end check of the TUI in a real terminal: tmux 80x24, keys sent one by one,
# screen captured and asserted, and the shell prompt must be back after `q`.
# usage: tests/tui_tmux.sh VIGIL_BINARY EVTX_FILE...
set -u
VIGIL=$1; shift
SOCK="vigil-e2e-$$"
T="tmux -L $SOCK"
DIR=$(mktemp -d)
trap '$T kill-server 2>/dev/null; rm -rf "$DIR"' EXIT
for f in "$@"; do ln -s "$f" "$DIR/"; done

fail() { echo "FAIL: $*"; echo "----- screen -----"; $T capture-pane -p -t e2e; exit 1; }
screen() { $T capture-pane -p -t e2e; }
# Waits until the screen matches a regex (up to ~10 s).
wait_for() {
  for _ in $(seq 1 100); do
    screen | grep -Eq -- "$1" && return 0
    sleep 0.1
  done
  fail "timed out waiting for /$1/"
}
keys() { $T send-keys -t e2e "$@"; sleep 0.3; }

$T -f /dev/null new-session -d -s e2e -x 80 -y 24 "env -i PATH=$PATH TERM=screen-256color HOME=$DIR PS1='PROMPT\$ ' bash --norc --noprofile"
$T set -sg escape-time 10
sleep 0.3
keys -l "$VIGIL $DIR; echo EXIT=\$?"
keys Enter
wait_for ' events '
# Ingest finished: the progress bar gives way to the key hints.
wait_for '\? help'

keys G
line=$(screen | grep -E '^ [0-9]+/[0-9]+ events')
[[ $line =~ ^\ ([0-9]+)/([0-9]+)\ events ]] || fail "no status line"
[[ ${BASH_REMATCH[1]} == "${BASH_REMATCH[2]}" ]] || fail "G did not go to the last event: $line"

keys /
keys -l 'logon'
keys Enter
wait_for '\| /logon'

keys f
keys -l 'temporal'
keys Enter
wait_for 'filter: temporal'
screen | grep -Eq '^ [0-9]+/[0-9]+ of [0-9]+ events' || fail "filtered count not shown"

keys =
wait_for 'pivot: filter on'
screen | grep -Eq 'event_id: [0-9]+' || fail "pivot picker lacks the event id"
keys Escape
sleep 0.3
screen | grep -q 'pivot: filter on' && fail "Esc did not close the picker"

keys t
keys -l '2016-06-29 15:25'
keys Enter
screen | grep -q 'error' && fail "go to time reported an error"
screen | grep -q '2016-06-29 15:25' || fail "go to time did not land in 15:25"

keys Enter
wait_for 'detail \(Tab'
wait_for 'normalised fields'

keys '?'
wait_for 'keys \(j/k scroll'
keys Escape
sleep 0.3

# Bracketed paste: pasted text lands in the input line and never runs as keys.
$T set-buffer 'G:q'
$T paste-buffer -p -t e2e
sleep 0.3
screen | grep -q '^/G:q' || fail "paste did not go to the search line"
keys Escape

keys q
wait_for 'EXIT=[0-9]'
wait_for 'PROMPT\$'
screen | grep -q ' events ' && fail "the TUI screen was not restored"
echo "tmux end-to-end: ok"
