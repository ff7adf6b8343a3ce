#!/usr/bin/env bash
# sqldiff.sh — randomized differential test of `ria sql` against sqlite3
# (tests/diff/sqldiff.py): 2,000 seeded queries over a 50,000-row dirty data
# set loaded in two commits, each run with the materialized views and with
# --no-views, every answer compared with sqlite's.  A failure prints the
# seed, the query number, both SQL texts and both results.
#
# Needs RIA_BIN and python3 (standard library only).  RIA_SQLDIFF_SEED,
# RIA_SQLDIFF_QUERIES and RIA_SQLDIFF_ROWS change the run; extra arguments
# go to the script (e.g. --only 123 to replay one query).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
: "${RIA_BIN:?set RIA_BIN to the ria binary}"
exec python3 "$here/../diff/sqldiff.py" --ria "$RIA_BIN" \
    --seed "${RIA_SQLDIFF_SEED:-1}" \
    --queries "${RIA_SQLDIFF_QUERIES:-2000}" \
    --rows "${RIA_SQLDIFF_ROWS:-50000}" "$@"
