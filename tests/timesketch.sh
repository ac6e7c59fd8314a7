#!/bin/sh
# Validates `vigil export --format timesketch` with Timesketch's own importer code, offline.
# Creates (once) the venv .ci/run uses (${TIMESKETCH_VENV:-target/timesketch-venv}), then
# runs the Rust test (which fails under CI=true, and skips otherwise, without the venv).
set -eu
cd "$(dirname "$0")/.."
venv=${TIMESKETCH_VENV:-$PWD/target/timesketch-venv}
if [ ! -x "$venv/bin/python" ] || ! "$venv/bin/python" -c 'import timesketch.lib.utils' 2>/dev/null; then
    python3 -m venv "$venv"
    "$venv/bin/pip" install -q --no-deps timesketch==20261014
    "$venv/bin/pip" install -q pandas pyyaml python-dateutil flask
fi
TIMESKETCH_VENV="$venv" cargo test --test timesketch -- --nocapture
