# Shared by the tmux end-to-end scripts: a private tmux server with one session (80x24 unless asked)
# running a clean shell, and helpers to send keys and wait for the screen.
# Before sourcing, set SOCK (socket name), HOME_DIR and EXTRA_ENV (e.g. VIGIL_AUTHOR=e2e),
# and COLS/ROWS for another size than 80x24;
# set FAIL_TAG to prefix failure messages, TERM_NAME for another TERM than screen-256color.
T="tmux -L $SOCK"

fail() { echo "FAIL${FAIL_TAG:+ ($FAIL_TAG)}: $*"; echo "----- screen -----"; $T capture-pane -p -t e2e; exit 1; }
screen() { $T capture-pane -p -t e2e; }
# Waits until the screen matches a regex (up to ~10 s).
wait_for() {
  for _ in $(seq 1 100); do
    screen | grep -Eq -- "$1" && return 0
    sleep 0.1
  done
  fail "timed out waiting for /$1/"
}
# One key (or literal string) at a time: Esc followed at once by a letter reads as Alt.
keys() { $T send-keys -t e2e "$@"; sleep 0.3; }

start_shell() {
  $T -f /dev/null new-session -d -s e2e -x "${COLS:-80}" -y "${ROWS:-24}" "env -i PATH=$PATH TERM=${TERM_NAME:-screen-256color} HOME=$HOME_DIR ${EXTRA_ENV:-} PS1='PROMPT\$ ' bash --norc --noprofile"
  $T set -sg escape-time 10
  sleep 0.3
}
