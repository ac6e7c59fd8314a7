#!/bin/sh
# Validates `vigil export --format timesketch` with Timesketch's own importer code, offline.
# Creates (once) a venv at ${TIMESKETCH_VENV:-/tmp/tsv}, then runs the gated Rust test.
set -eu
venv=${TIMESKETCH_VENV:-/tmp/tsv}
if [ ! -x "$venv/bin/python" ] || ! "$venv/bin/python" -c 'import timesketch.lib.utils' 2>/dev/null; then
    python3 -m venv "$venv"
    "$venv/bin/pip" install -q --no-deps timesketch==20261014
    "$venv/bin/pip" install -q pandas pyyaml python-dateutil flask
fi
cd "$(dirname "$0")/.."
TIMESKETCH_VENV="$venv" cargo test --test timesketch -- --nocapture
