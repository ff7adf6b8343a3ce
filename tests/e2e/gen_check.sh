#!/usr/bin/env bash
# gen_check.sh — `ria gen` end to end: 200000 rows with --dirty 0.05 are
# checked by an independent script (gen_check.py: every defect kind counted
# from the text equals the truth file, accepted totals agree, clean rows add
# up, and the mixes match the reference generator bench/gen_sales.py); the
# bytes do not depend on --threads; `ria gen | head` stops quietly; a full
# disk is one line on stderr and a non-zero exit.
#
# Needs RIA_BIN; finds the reference through RIA_SHARED (set by tests/run).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
: "${RIA_BIN:?set RIA_BIN to the ria binary}"
shared=${RIA_SHARED:-$here/../../../shared}
ref=$shared/bench/gen_sales.py
[ -f "$ref" ] || { echo "reference generator not found at $ref (set RIA_SHARED)"; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

"$RIA_BIN" gen --rows 200000 --dirty 0.05 --seed 1234 --threads 2 \
    --out "$tmp/sales.csv" --truth "$tmp/truth.json"
[ "$(wc -l < "$tmp/sales.csv")" -eq 200001 ] || { echo "expected 200001 lines"; exit 1; }

# Same bytes from one thread, written through a pipe.
"$RIA_BIN" gen --rows 200000 --dirty 0.05 --seed 1234 --threads 1 | cmp - "$tmp/sales.csv"

# A reader that goes away: exit 0 or 141 and nothing on stderr.
set +o pipefail
"$RIA_BIN" gen --rows 5M 2> "$tmp/pipe.err" | head -n 3 > /dev/null
rc=${PIPESTATUS[0]}
set -o pipefail
if { [ "$rc" -ne 0 ] && [ "$rc" -ne 141 ]; } || [ -s "$tmp/pipe.err" ]; then
    echo "ria gen | head: exit $rc, stderr: $(cat "$tmp/pipe.err")"
    exit 1
fi

# A write error: non-zero exit, one line.
if [ -w /dev/full ]; then
    if "$RIA_BIN" gen --rows 100000 --out /dev/full 2> "$tmp/full.err"; then
        echo "writing to /dev/full succeeded"
        exit 1
    fi
    [ "$(wc -l < "$tmp/full.err")" -eq 1 ] || { echo "expected one error line:"; cat "$tmp/full.err"; exit 1; }
fi

python3 "$shared/bench/gen_sales.py" --rows 200000 --seed 5 > "$tmp/ref.csv"
python3 "$here/gen_check.py" "$tmp/sales.csv" "$tmp/truth.json" --reference "$ref" \
    --ref-csv "$tmp/ref.csv"
