#!/bin/sh
# Mutation run (issue 11, DESIGN §11): every corpus and sample file mutated (bit flips,
# EVTX cut at and inside chunks, huge lines, deep JSON, CR-only/NUL line ends, gzip with
# junk, cut or doubled), `vigil stats` and `vigil export` on each under a 60 s timeout and
# a 4 GiB address-space limit. Failing inputs are copied to target/mutate-failures/.
#
#   benches/mutate.sh                 # 2 variants of each kind per file
#   MUTATE_ROUNDS=6 MUTATE_SEED=7 benches/mutate.sh
set -eu
cd "$(dirname "$0")/.."
exec cargo test --release --test mutate -- --ignored --nocapture "$@"
