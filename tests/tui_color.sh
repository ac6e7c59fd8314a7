#!/usr/bin/env bash
# Colours follow the terminal's colour count: what vigil writes to a TERM=screen terminal
# (captured raw with pipe-pane) has the basic colour codes and no 256-colour sequence;
# with TERM=screen-256color the 256-colour form stays.
# usage: tests/tui_color.sh VIGIL_BINARY EVIDENCE
set -u
VIGIL=$1 EV=$2
DIR=$(mktemp -d)
HOME_DIR=$DIR
trap 'tmux -L "vigil-color-$$-screen" kill-server 2>/dev/null; tmux -L "vigil-color-$$-256" kill-server 2>/dev/null; rm -rf "$DIR"' EXIT
run() {  # TERM_NAME SUFFIX
  TERM_NAME=$1 SOCK="vigil-color-$$-$2" FAIL_TAG=$1
  . "$(dirname "$0")/tmux_lib.sh"
  start_shell
  $T pipe-pane -o -t e2e "cat >> $DIR/$1.out"
  keys -l "$VIGIL $EV; echo EXIT=\$?"
  keys Enter
  wait_for '^ 1/[0-9]+ events +([0-9]+ hits≥[a-z]+ \| )?UTC'
  keys q
  wait_for 'EXIT=0'
  $T kill-server
}
run screen screen
run screen-256color 256
grep -aq $'\e\\[3[0-7][;m]' "$DIR/screen.out" || { echo "FAIL: no basic colour codes for TERM=screen"; exit 1; }
if grep -aq '38;5;\|48;5;' "$DIR/screen.out"; then
  echo "FAIL: 256-colour sequences sent to TERM=screen"; exit 1
fi
grep -aq '38;5;' "$DIR/screen-256color.out" || { echo "FAIL: no 256-colour form for screen-256color"; exit 1; }
echo "tmux colours: ok"
