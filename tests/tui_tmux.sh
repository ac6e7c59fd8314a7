#!/usr/bin/env bash
# End-to-end check of the TUI in a real terminal: tmux 80x24, keys sent one by one,
# screen captured and asserted, and the shell prompt must be back after `q`.
# usage: tests/tui_tmux.sh VIGIL_BINARY EVTX_FILE...
set -u
VIGIL=$1; shift
SOCK="vigil-e2e-$$"
DIR=$(mktemp -d)
HOME_DIR=$DIR
. "$(dirname "$0")/tmux_lib.sh"
trap '$T kill-server 2>/dev/null; rm -rf "$DIR"' EXIT
for f in "$@"; do ln -s "$f" "$DIR/"; done
start_shell
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
# What happened leads the pane (message, user, host, process; the rest below).
wait_for '^host +temporal'

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
