#!/usr/bin/env bash
# The annotation flow in a real terminal (tmux 80x24), one phase per call:
#   annotate  mark one early-detection point and make two annotations, then kill -9 vigil
#   reopen    reopen with --case: the journal is replayed, `A` lists the three, `s` saves
#   missing   reopen CASE.vigil.json after the evidence moved: reported, still listed
#   sigterm   mark, then SIGHUP: the final save writes the case file
# usage: tests/tui_annot.sh PHASE VIGIL_BINARY DIR   (DIR holds ev/EVIDENCE.evtx)
set -u
PHASE=$1 VIGIL=$2 DIR=$3
SOCK="vigil-annot-$$"
HOME_DIR=$DIR
EXTRA_ENV=VIGIL_AUTHOR=e2e
FAIL_TAG=$PHASE
. "$(dirname "$0")/tmux_lib.sh"
trap '$T kill-server 2>/dev/null' EXIT
EV=$(ls "$DIR"/ev/*.evtx 2>/dev/null | head -1)
start_shell

case $PHASE in
annotate)
  keys -l "cd $DIR && $VIGIL --case c.vigil.json ev/$(basename "$EV"); echo EXIT=\$?"
  keys Enter
  wait_for 'new case file c.vigil.json'
  wait_for '^ 1/7 events \| 0 annotations +([0-9]+ hits≥[a-z]+ \| )?UTC'
  keys j; keys m
  wait_for 'severity: l low'
  keys h
  wait_for 'early-detection saved'
  screen | grep -Eq '^▶!H ' || fail "no !H marker on the marked row"
  keys j; keys j; keys a
  wait_for 'annotate: kind'
  keys 3; keys Enter
  wait_for 'tags \(comma separated\)'
  keys -l 'brute, ntlm'; keys Enter
  keys -l 'failed logon'; keys Enter; keys -l 'right after NTLM'
  keys F2
  wait_for 'initial-access saved'
  keys j; keys a; keys 2; keys Enter; keys -l 'ioc1'; keys C-d
  wait_for 'ioc saved'
  wait_for '3 annotations \[\+\] unsaved'
  pane=$($T display -p -t e2e '#{pane_pid}')
  pid=$(pgrep -P "$pane" -x vigil) || fail "vigil process not found"
  kill -9 "$pid"
  wait_for 'EXIT=137'
  ;;
reopen)
  keys -l "cd $DIR && $VIGIL --case c.vigil.json ev/$(basename "$EV"); echo EXIT=\$?"
  keys Enter
  wait_for 'recovered 3 unsaved change'
  keys A
  wait_for 'annotations \(3\) by event time'
  screen | grep -q 'initial-access.*\[brute,ntlm\]' || fail "initial-access entry missing"
  screen | grep -q '!H .*early-detection' || fail "early-detection entry missing"
  screen | grep -q 'ioc .*\[ioc1\]' || fail "ioc entry missing"
  keys Escape
  keys u
  wait_for 'annotation [0-9]/3 in view'
  keys s
  wait_for 'saved c.vigil.json \(3 annotation'
  keys q
  wait_for 'EXIT=0'
  ;;
missing)
  keys -l "cd / && $VIGIL $DIR/c.vigil.json; echo EXIT=\$?"
  keys Enter
  wait_for 'evidence missing'
  keys A
  wait_for 'annotations \(3\) by event time'
  [[ $(screen | grep -c '\[missing\]') == 3 ]] || fail "not all three listed as missing"
  keys Escape
  keys q
  wait_for 'EXIT=0'
  ;;
sigterm)
  # A dropped session (SIGHUP) or SIGTERM: the journal has everything, and a final save
  # is attempted, so the case file itself is up to date.
  keys -l "cd $DIR && $VIGIL --case t.vigil.json ev/$(basename "$EV"); echo EXIT=\$?"
  keys Enter
  wait_for '^ 1/7 events \| 0 annotations +([0-9]+ hits≥[a-z]+ \| )?UTC'
  keys m
  wait_for 'severity: l low'
  keys c
  wait_for 'early-detection saved'
  pane=$($T display -p -t e2e '#{pane_pid}')
  pid=$(pgrep -P "$pane" -x vigil) || fail "vigil process not found"
  kill -HUP "$pid"
  wait_for 'vigil: saved t.vigil.json \(1 annotation'
  wait_for 'EXIT=[0-9]+'
  ;;
*) echo "unknown phase $PHASE"; exit 2 ;;
esac
wait_for 'PROMPT\$'
echo "tmux annotations $PHASE: ok"
